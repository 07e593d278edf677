//! The workspace: every file's model, an index of the functions defined in it, call resolution,
//! and per-function cancel-safety summaries computed to a fixed point.
//!
//! Only compact models are kept here, never syntax trees.

use std::collections::{HashMap, HashSet, VecDeque};

use super::loss::{Safety, Site};
use super::{BodyId, BodyKind, FileModel, FnItem, OpTarget, Operation};
use crate::knowledge::{ApiEntry, Knowledge};

/// One analysed file with its place in its crate.
#[derive(Debug)]
pub struct Unit {
    pub model: FileModel,
    /// The crate the file belongs to (`demo`, `my_crate`).
    pub crate_name: String,
    /// The file's module path inside its crate (`["net", "conn"]`); empty for the crate root.
    pub module: Vec<String>,
}

/// A function of the workspace: file index and index into that file's `fns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    pub file: usize,
    pub index: usize,
}

/// Blocking work a function awaits: where, and how the call reads.
#[derive(Clone, Debug)]
pub struct BlockingWork {
    pub site: Site,
    pub call: String,
}

/// What a call resolves to.
#[derive(Clone, Copy, Debug)]
pub enum Callee<'k> {
    Api(&'k ApiEntry),
    Fn(FnRef),
}

/// Every file of a run, indexed.
pub struct Workspace<'k> {
    pub units: Vec<Unit>,
    knowledge: &'k Knowledge,
    /// `crate::module::name` -> free function.
    free_fns: HashMap<String, FnRef>,
    /// (type, method) -> methods and trait methods.
    methods: HashMap<(String, String), Vec<FnRef>>,
    /// method name -> methods.
    method_names: HashMap<String, Vec<FnRef>>,
    user_types: HashSet<String>,
    fields: HashMap<String, HashMap<String, String>>,
    summaries: HashMap<FnRef, Safety<'k>>,
    /// Functions some race drops, with the race that does.
    raced: HashMap<FnRef, Site>,
    /// Functions that await blocking work cancellation cannot stop, with where.
    blocking: HashMap<FnRef, BlockingWork>,
}

impl<'k> Workspace<'k> {
    /// Indexes the files and computes every summary.
    pub fn build(units: Vec<Unit>, knowledge: &'k Knowledge) -> Workspace<'k> {
        let mut workspace = Workspace {
            units,
            knowledge,
            free_fns: HashMap::new(),
            methods: HashMap::new(),
            method_names: HashMap::new(),
            user_types: HashSet::new(),
            fields: HashMap::new(),
            summaries: HashMap::new(),
            raced: HashMap::new(),
            blocking: HashMap::new(),
        };
        workspace.index();
        workspace.summarise();
        workspace.find_raced();
        workspace.find_blocking();
        workspace
    }

    fn index(&mut self) {
        for (file, unit) in self.units.iter().enumerate() {
            self.user_types
                .extend(unit.model.user_types.iter().cloned());
            for (name, fields) in &unit.model.fields {
                self.fields
                    .entry(name.clone())
                    .or_default()
                    .extend(fields.clone());
            }
            for (index, item) in unit.model.fns.iter().enumerate() {
                let fn_ref = FnRef { file, index };
                match &item.self_type {
                    Some(ty) => {
                        self.methods
                            .entry((ty.clone(), item.name.clone()))
                            .or_default()
                            .push(fn_ref);
                        self.method_names
                            .entry(item.name.clone())
                            .or_default()
                            .push(fn_ref);
                    }
                    None => {
                        let path =
                            module_path(&unit.crate_name, &unit.module, &item.module, &item.name);
                        self.free_fns.entry(path).or_insert(fn_ref);
                    }
                }
            }
        }
    }

    /// The function item.
    pub fn item(&self, fn_ref: FnRef) -> &FnItem {
        &self.units[fn_ref.file].model.fns[fn_ref.index]
    }

    /// A readable name: `Conn::read_frame`, `decode`.
    pub fn display_name(&self, fn_ref: FnRef) -> String {
        let item = self.item(fn_ref);
        match &item.self_type {
            Some(ty) => format!("{ty}::{}", item.name),
            None => item.name.clone(),
        }
    }

    /// The summary of a function (safe until shown otherwise).
    pub fn safety(&self, fn_ref: FnRef) -> &Safety<'k> {
        self.summaries.get(&fn_ref).unwrap_or(&Safety::Safe)
    }

    /// The race that drops this function's future, directly or through the functions that
    /// await it, if any.
    pub fn raced_by(&self, fn_ref: FnRef) -> Option<&Site> {
        self.raced.get(&fn_ref)
    }

    /// The function whose body contains `body` (the outermost fn of its chain).
    fn enclosing_fn(&self, file: usize, body: BodyId) -> Option<&FnItem> {
        let model = &self.units[file].model;
        let mut id = body;
        let mut root = None;
        loop {
            if matches!(model.bodies[id].kind, BodyKind::Fn { .. }) {
                root = Some(id);
            }
            match model.bodies[id].parent {
                Some(parent) => id = parent,
                None => break,
            }
        }
        let root = root?;
        model.fns.iter().find(|item| item.body == root)
    }

    /// What a call in `body` of `file` resolves to: a workspace function (by scope, imports and
    /// visible types), else a knowledge-base API.
    pub fn resolve(&self, file: usize, body: BodyId, op: &Operation) -> Option<Callee<'k>> {
        let unit = &self.units[file];
        let model = &unit.model;
        match &op.target {
            OpTarget::Path { full, segments } => {
                if segments.len() >= 2 {
                    let owner = &segments[segments.len() - 2];
                    let owner = if owner == "Self" {
                        model.self_type(body).map(str::to_string)
                    } else {
                        Some(owner.clone())
                    };
                    if let Some(found) =
                        owner.and_then(|ty| self.methods.get(&(ty, op.name.clone())))
                    {
                        return found.first().copied().map(Callee::Fn);
                    }
                }
                let inline = self
                    .enclosing_fn(file, body)
                    .map(|item| item.module.clone())
                    .unwrap_or_default();
                let mut here: Vec<String> = unit.module.clone();
                here.extend(inline);
                let written = segments.join("::");
                let mut candidates = vec![
                    module_path(&unit.crate_name, &here, &[], &written),
                    format!("{}::{written}", unit.crate_name),
                ];
                if let Some(rest) = full.strip_prefix("crate::") {
                    candidates.push(format!("{}::{rest}", unit.crate_name));
                } else if let Some(rest) = full.strip_prefix("self::") {
                    candidates.push(module_path(&unit.crate_name, &here, &[], rest));
                } else if let Some(rest) = full.strip_prefix("super::") {
                    let parent = &here[..here.len().saturating_sub(1)];
                    candidates.push(module_path(&unit.crate_name, parent, &[], rest));
                } else {
                    candidates.push(full.clone());
                }
                if let Some(found) = candidates.iter().find_map(|path| self.free_fns.get(path)) {
                    return Some(Callee::Fn(*found));
                }
                op.api(self.knowledge, None, |_| false, false, false)
                    .map(Callee::Api)
            }
            OpTarget::Method { receiver } => {
                let ty = match receiver {
                    Some(place) if place.text == "self" => {
                        model.self_type(body).map(str::to_string)
                    }
                    Some(place) => {
                        model.type_of_place_with(body, place, op.span.start, &self.fields)
                    }
                    None => None,
                };
                if let Some(ty) = &ty {
                    if let Some(found) = self.methods.get(&(ty.clone(), op.name.clone())) {
                        return found.first().copied().map(Callee::Fn);
                    }
                }
                let user_method = self.method_names.contains_key(&op.name);
                // `send(buf)` where `buf: &[u8]` lends the data like `send(&buf)` does.
                let first_arg_borrowed = op.first_arg_name.as_deref().is_some_and(|name| {
                    model.local_before(body, name, op.span.start).is_none()
                        && model.param(body, name).is_some_and(|param| param.is_ref)
                });
                if let Some(api) = op.api(
                    self.knowledge,
                    ty.as_deref(),
                    |ty| self.user_types.contains(ty),
                    user_method,
                    first_arg_borrowed,
                ) {
                    return Some(Callee::Api(api));
                }
                let knowledge_knows = self.knowledge.named(&op.name).next().is_some();
                match (ty, self.method_names.get(&op.name)) {
                    (None, Some(found)) if found.len() == 1 && !knowledge_knows => {
                        Some(Callee::Fn(found[0]))
                    }
                    _ => None,
                }
            }
        }
    }

    fn summarise(&mut self) {
        let all: Vec<FnRef> = self
            .units
            .iter()
            .enumerate()
            .flat_map(|(file, unit)| {
                (0..unit.model.fns.len()).map(move |index| FnRef { file, index })
            })
            .collect();
        for &fn_ref in &all {
            if let Some(safety) = self.documented_safety(fn_ref) {
                self.summaries.insert(fn_ref, safety);
            }
        }
        // Summaries only move from safe to unsafe, so this reaches a fixed point; recursion and
        // cycles simply stop changing.
        loop {
            let mut changed = false;
            for &fn_ref in &all {
                let item = self.item(fn_ref);
                if !item.is_async || self.summaries.contains_key(&fn_ref) {
                    continue;
                }
                if let Some(loss) = self.fn_loss(fn_ref) {
                    self.summaries.insert(fn_ref, Safety::Unsafe(loss));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Where a function awaits blocking work that dropping its future does not stop, if it does.
    pub fn blocking_work(&self, fn_ref: FnRef) -> Option<&BlockingWork> {
        self.blocking.get(&fn_ref)
    }

    /// Marks the functions that await a mutating file-system operation, directly or through
    /// other functions, to a fixed point. (A `spawn_blocking` inside a function is often
    /// read-only work such as a DNS lookup; only a handle raced directly is reported.)
    fn find_blocking(&mut self) {
        use crate::knowledge::Effect;
        let all: Vec<FnRef> = self
            .units
            .iter()
            .enumerate()
            .flat_map(|(file, unit)| {
                (0..unit.model.fns.len()).map(move |index| FnRef { file, index })
            })
            .collect();
        loop {
            let mut changed = false;
            for &fn_ref in &all {
                if self.blocking.contains_key(&fn_ref) {
                    continue;
                }
                let body = self.item(fn_ref).body;
                let model = &self.units[fn_ref.file].model;
                let found = model.bodies[body].awaits.iter().find_map(|site| {
                    let op = site.op.as_ref()?;
                    match self.resolve(fn_ref.file, body, op)? {
                        Callee::Api(api) if api.effect == Some(Effect::FsWrite) => {
                            Some(BlockingWork {
                                site: Site::new(&model.path, site.span),
                                call: call_text(op),
                            })
                        }
                        Callee::Fn(callee) => self.blocking.get(&callee).cloned(),
                        Callee::Api(_) => None,
                    }
                });
                if let Some(work) = found {
                    self.blocking.insert(fn_ref, work);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Marks every function a race drops, directly or through the functions that await it.
    fn find_raced(&mut self) {
        let mut queue: VecDeque<(FnRef, Site)> = VecDeque::new();
        for (file, unit) in self.units.iter().enumerate() {
            for race in &unit.model.races {
                let label = Site::new(&unit.model.path, race.label_span);
                for branch in &race.branches {
                    if let Some(op) = &branch.op {
                        if let Some(Callee::Fn(fn_ref)) = self.resolve(file, race.body, op) {
                            queue.push_back((fn_ref, label.clone()));
                        }
                    }
                    if let Some(block) = branch.block_body {
                        for site in &unit.model.bodies[block].awaits {
                            let callee = site
                                .op
                                .as_ref()
                                .and_then(|op| self.resolve(file, block, op));
                            if let Some(Callee::Fn(fn_ref)) = callee {
                                queue.push_back((fn_ref, label.clone()));
                            }
                        }
                    }
                }
            }
        }
        while let Some((fn_ref, label)) = queue.pop_front() {
            if self.raced.contains_key(&fn_ref) {
                continue;
            }
            self.raced.insert(fn_ref, label.clone());
            let body = self.item(fn_ref).body;
            for site in &self.units[fn_ref.file].model.bodies[body].awaits {
                let callee = site
                    .op
                    .as_ref()
                    .and_then(|op| self.resolve(fn_ref.file, body, op));
                if let Some(Callee::Fn(next)) = callee {
                    queue.push_back((next, label.clone()));
                }
            }
        }
    }
}

/// `crate::a::b::name` for a function in module `file_module` + `inline` of `crate_name`.
fn module_path(crate_name: &str, file_module: &[String], inline: &[String], name: &str) -> String {
    let mut path = crate_name.to_string();
    for segment in file_module.iter().chain(inline) {
        path.push_str("::");
        path.push_str(segment);
    }
    path.push_str("::");
    path.push_str(name);
    path
}

/// How a call reads in a message: `reader.read_exact(..)`, `copy(..)`.
pub fn call_text(op: &Operation) -> String {
    match &op.target {
        OpTarget::Method {
            receiver: Some(place),
        } => format!("{}.{}(..)", place.text, op.name),
        OpTarget::Method { receiver: None } | OpTarget::Path { .. } => format!("{}(..)", op.name),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::test_support::workspace_of;
    use crate::model::{Callee, FnRef, Leaf, Safety, Via};

    const NET: &str = r#"
use tokio::io::AsyncReadExt;
pub struct Conn { stream: tokio::net::TcpStream }
impl Conn {
    pub async fn read_frame(&mut self) -> Vec<u8> {
        let mut len = [0u8; 4];
        self.stream.read_exact(&mut len).await.unwrap();
        Vec::new()
    }
    pub async fn ping(&mut self) {}
}
pub async fn next_frame(conn: &mut Conn) -> Vec<u8> {
    conn.read_frame().await
}
"#;

    const APP: &str = r#"
use crate::net::next_frame as nf;
async fn run(mut conn: crate::net::Conn, mut stop: tokio::sync::mpsc::Receiver<()>) {
    loop {
        tokio::select! {
            f = nf(&mut conn) => drop(f),
            _ = stop.recv() => {}
        }
    }
}
"#;

    fn find(workspace: &crate::model::Workspace<'_>, name: &str) -> FnRef {
        for (file, unit) in workspace.units.iter().enumerate() {
            if let Some(index) = unit.model.fns.iter().position(|item| item.name == name) {
                return FnRef { file, index };
            }
        }
        panic!("no fn {name}");
    }

    #[test]
    fn summaries_propagate_through_methods_and_free_functions() {
        let workspace = workspace_of(&[("net", NET), ("app", APP)]);
        let read_frame = find(&workspace, "read_frame");
        let Safety::Unsafe(loss) = workspace.safety(read_frame) else {
            panic!("read_frame is not cancel safe");
        };
        assert!(
            matches!(loss.leaf, Leaf::Api(api) if api.path == "tokio::io::AsyncReadExt::read_exact")
        );
        assert!(matches!(&loss.via, Via::Awaits { call } if call == "self.stream.read_exact(..)"));
        let next_frame = find(&workspace, "next_frame");
        let Safety::Unsafe(loss) = workspace.safety(next_frame) else {
            panic!("next_frame is not cancel safe");
        };
        assert!(matches!(&loss.via, Via::Awaits { call } if call == "conn.read_frame(..)"));
        // The root cause stays at the leaf call, in net.rs.
        let root = loss.root.as_ref().expect("a root");
        assert_eq!(root.site.file, "src/net.rs");
        assert!(matches!(
            workspace.safety(find(&workspace, "ping")),
            Safety::Safe
        ));
    }

    #[test]
    fn a_renamed_import_resolves_and_the_race_marks_its_callees() {
        let workspace = workspace_of(&[("net", NET), ("app", APP)]);
        let app = &workspace.units[1].model;
        let race = &app.races[0];
        let op = race.branches[0].op.as_ref().unwrap();
        let callee = workspace.resolve(1, race.body, op);
        assert!(matches!(callee, Some(Callee::Fn(f)) if f == find(&workspace, "next_frame")));
        for name in ["next_frame", "read_frame"] {
            let raced = workspace.raced_by(find(&workspace, name)).expect("raced");
            assert_eq!(raced.file, "src/app.rs");
        }
        assert!(workspace.raced_by(find(&workspace, "ping")).is_none());
        // `stop.recv()` is the knowledge base's receive.
        let recv = race.branches[1].op.as_ref().unwrap();
        assert!(
            matches!(workspace.resolve(1, race.body, recv), Some(Callee::Api(api)) if api.path.ends_with("Receiver::recv"))
        );
    }
}
