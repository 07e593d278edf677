//! The first pass of the model build: the file's declarations (imports, types, traits, impls and
//! the scopes they are declared in, struct fields and method names) in every module and in fn
//! bodies' statement-level items. It skips expressions and types, so it costs little next to the
//! main walk, which needs its answers (imports, which scope and impl each fn belongs to) up front.

use foldhash::HashMap;

use syn::visit::{self, Visit};
use syn::{Expr, ImplItemFn, Stmt, Type};

use super::super::imports::Imports;
use super::super::items::{
    use_decls, Generics, ImplDecl, ItemRef, PathRef, Scope, ScopeId, TraitDecl, TypeDecl, TypeKind,
    TypeRef,
};
use super::super::FileModel;
use super::mentions_interesting;
use crate::syntax::{is_macro_rules, macro_span, type_name};

/// First pass: imports, types, struct fields and method names, in every module and in fn bodies'
/// statement-level items. It skips expressions, so it costs little next to the full walk.
pub(super) struct Declarations<'m> {
    /// The text the spans point into.
    pub(super) text: &'m str,
    pub(super) model: &'m mut FileModel,
    pub(super) imports: &'m mut Imports,
    /// Item macros parsed as items, by start offset, for the second pass to reuse.
    pub(super) parsed_macros: HashMap<usize, syn::File>,
    /// The open scopes, innermost last.
    pub(super) scopes: Vec<ScopeId>,
    /// Where each fn, impl and trait is, by the start offset of its name (fns) or of its `impl`
    /// or `trait` keyword, for the main walk.
    pub(super) places: Places,
}

/// What the main walk learns from the first pass about the items it meets.
#[derive(Default)]
pub(super) struct Places {
    /// Fn name offset -> the scope it is declared in.
    pub fn_scopes: HashMap<usize, ScopeId>,
    /// `impl` keyword offset -> impl index.
    pub impls: HashMap<usize, usize>,
    /// `trait` keyword offset -> trait index.
    pub traits: HashMap<usize, usize>,
    /// Fn body (brace offset) -> the block scope of its items, when it declares any.
    pub blocks: HashMap<usize, ScopeId>,
}

impl Declarations<'_> {
    fn scope(&self) -> ScopeId {
        self.scopes.last().copied().unwrap_or(0)
    }

    fn declare(&mut self, name: String, item: ItemRef) {
        let scope = self.scope();
        self.model.items.scopes[scope].items.push((name, item));
    }

    fn open_scope(&mut self, module: Option<(String, bool)>, is_block: bool) -> ScopeId {
        let parent = self.scope();
        let mut path = self.model.items.scopes[parent].module.clone();
        let is_pub = module.as_ref().is_some_and(|(_, is_pub)| *is_pub);
        if let Some((name, _)) = module {
            path.push(name);
        }
        let id = self.model.items.scopes.len();
        self.model.items.scopes.push(Scope {
            parent: Some(parent),
            module: path,
            is_block,
            is_pub,
            ..Scope::default()
        });
        self.scopes.push(id);
        id
    }

    /// Visits a fn body's statement-level items in a block scope of their own, when it has any.
    fn fn_block(&mut self, block: &syn::Block) {
        let declares = block.stmts.iter().any(|stmt| matches!(stmt, Stmt::Item(_)));
        if !declares {
            return;
        }
        let scope = self.open_scope(None, true);
        self.places.blocks.insert(
            crate::span::Span::start_of(block.brace_token.span.open()),
            scope,
        );
        for stmt in &block.stmts {
            if let Stmt::Item(item) = stmt {
                self.visit_item(item);
            }
        }
        self.scopes.pop();
    }

    fn note_fn(&mut self, ident: &syn::Ident) {
        let at = crate::span::Span::of(ident).start;
        let scope = self.scope();
        self.places.fn_scopes.insert(at, scope);
    }
}

/// Declared exactly `pub`: visible outside the crate when its module is.
fn is_public(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

fn fields_of(fields: &syn::Fields) -> Vec<(String, TypeRef)> {
    fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            (name, TypeRef::of(&field.ty))
        })
        .collect()
}

impl<'ast> Visit<'ast> for Declarations<'_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.fn_block(block);
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.note_fn(&item.sig.ident);
        self.declare(item.sig.ident.to_string(), ItemRef::Fn);
        visit::visit_item_fn(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let name = item.ident.to_string();
        if item.content.is_none() {
            self.declare(name, ItemRef::ModuleFile(is_public(&item.vis)));
            return;
        }
        let parent = self.scope();
        let scope = self.open_scope(Some((name.clone(), is_public(&item.vis))), false);
        self.model.items.scopes[parent]
            .items
            .push((name, ItemRef::Module(scope)));
        visit::visit_item_mod(self, item);
        self.scopes.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        let index = self.model.items.traits.len();
        self.model.items.traits.push(TraitDecl {
            name: item.ident.to_string(),
            scope: self.scope(),
            generics: Generics::of(&item.generics),
            supertraits: super::super::items::bound_paths(&item.supertraits, 0),
        });
        self.places
            .traits
            .insert(crate::span::Span::of(&item.trait_token).start, index);
        self.declare(item.ident.to_string(), ItemRef::Trait(index));
        visit::visit_item_trait(self, item);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let index = self.model.items.impls.len();
        self.model.items.impls.push(ImplDecl {
            scope: self.scope(),
            generics: Generics::of(&item.generics),
            self_ty: TypeRef::of(&item.self_ty),
            trait_path: item.trait_.as_ref().map(|(path, _)| PathRef::of(path)),
        });
        self.places
            .impls
            .insert(crate::span::Span::of(&item.impl_token).start, index);
        visit::visit_item_impl(self, item);
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        let index = self.model.items.types.len();
        self.model.items.types.push(TypeDecl {
            name: item.ident.to_string(),
            scope: self.scope(),
            kind: TypeKind::Union,
            generics: Generics::of(&item.generics),
            fields: item
                .fields
                .named
                .iter()
                .map(|field| {
                    (
                        field
                            .ident
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        TypeRef::of(&field.ty),
                    )
                })
                .collect(),
            variants: Vec::new(),
            aliased: None,
        });
        self.declare(item.ident.to_string(), ItemRef::Type(index));
        self.model.user_types.insert(item.ident.to_string());
    }

    fn visit_expr(&mut self, _: &'ast Expr) {}

    fn visit_type(&mut self, _: &'ast Type) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.imports.add_use(&item.tree, &item.vis);
        let scope = self.scope();
        use_decls(
            &item.tree,
            is_public(&item.vis),
            &mut self.model.items.scopes[scope].uses,
        );
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let name = item.ident.to_string();
        let fields = self.model.fields.entry(name.clone()).or_default();
        for (index, field) in item.fields.iter().enumerate() {
            let field_name = field
                .ident
                .as_ref()
                .map_or_else(|| index.to_string(), ToString::to_string);
            if let Some(ty) = type_name(&field.ty) {
                fields.insert(field_name, ty);
            }
        }
        let index = self.model.items.types.len();
        self.model.items.types.push(TypeDecl {
            name: name.clone(),
            scope: self.scope(),
            kind: TypeKind::Struct,
            generics: Generics::of(&item.generics),
            fields: fields_of(&item.fields),
            variants: Vec::new(),
            aliased: None,
        });
        self.declare(name.clone(), ItemRef::Type(index));
        self.model.user_types.insert(name);
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let index = self.model.items.types.len();
        self.model.items.types.push(TypeDecl {
            name: item.ident.to_string(),
            scope: self.scope(),
            kind: TypeKind::Enum,
            generics: Generics::of(&item.generics),
            fields: Vec::new(),
            variants: item
                .variants
                .iter()
                .map(|variant| (variant.ident.to_string(), fields_of(&variant.fields)))
                .collect(),
            aliased: None,
        });
        self.declare(item.ident.to_string(), ItemRef::Type(index));
        self.model.user_types.insert(item.ident.to_string());
        visit::visit_item_enum(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        let index = self.model.items.types.len();
        self.model.items.types.push(TypeDecl {
            name: item.ident.to_string(),
            scope: self.scope(),
            kind: TypeKind::Alias,
            generics: Generics::of(&item.generics),
            fields: Vec::new(),
            variants: Vec::new(),
            aliased: Some(TypeRef::of(&item.ty)),
        });
        self.declare(item.ident.to_string(), ItemRef::Type(index));
        self.model.user_types.insert(item.ident.to_string());
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        self.note_fn(&item.sig.ident);
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.note_fn(&item.sig.ident);
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if is_macro_rules(&item.mac) || !mentions_interesting(self.text, &item.mac) {
            return;
        }
        if let Ok(file) = syn::parse2::<syn::File>(item.mac.tokens.clone()) {
            self.visit_file(&file);
            self.parsed_macros.insert(macro_span(&item.mac).start, file);
        }
    }
}
