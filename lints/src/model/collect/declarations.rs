//! The first pass of the model build: the file's declarations (imports, types, struct fields and
//! method names) in every module and in fn bodies' statement-level items. It skips expressions and
//! types, so it costs little next to the main walk, which needs its answers (imports) up front.

use std::collections::HashMap;

use syn::visit::{self, Visit};
use syn::{Expr, ImplItemFn, Stmt, Type};

use super::super::imports::Imports;
use super::super::FileModel;
use super::mentions_interesting;
use crate::syntax::{is_macro_rules, macro_span, type_name};

/// First pass: imports, types, struct fields and method names, in every module and in fn bodies'
/// statement-level items. It skips expressions, so it costs little next to the full walk.
pub(super) struct Declarations<'m> {
    pub(super) model: &'m mut FileModel,
    pub(super) imports: &'m mut Imports,
    /// Item macros parsed as items, by start offset, for the second pass to reuse.
    pub(super) parsed_macros: HashMap<usize, syn::File>,
}

impl<'ast> Visit<'ast> for Declarations<'_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        for stmt in &block.stmts {
            if let Stmt::Item(item) = stmt {
                self.visit_item(item);
            }
        }
    }

    fn visit_expr(&mut self, _: &'ast Expr) {}

    fn visit_type(&mut self, _: &'ast Type) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.imports.add_use(&item.tree, &item.vis);
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
        self.model.user_types.insert(name);
        visit::visit_item_struct(self, item);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.model.user_types.insert(item.ident.to_string());
        visit::visit_item_enum(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.model.user_types.insert(item.ident.to_string());
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.model.user_methods.insert(item.sig.ident.to_string());
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if is_macro_rules(&item.mac) || !mentions_interesting(&item.mac.tokens, 0) {
            return;
        }
        if let Ok(file) = syn::parse2::<syn::File>(item.mac.tokens.clone()) {
            self.visit_file(&file);
            self.parsed_macros.insert(macro_span(&item.mac).start, file);
        }
    }
}
