//! `edit`'s command line, named and shaped as kustomize v5.5's.

// The doc comments here are the help texts clap prints, in kustomize's
// wording (`NAME[,NAME]`, `[Alpha]`), not links.
#![allow(rustdoc::broken_intra_doc_links)]

use crate::kustomize_argv::go_bool;
use clap::{ArgAction, Args, Subcommand};

/// `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// What to edit.
    #[command(subcommand)]
    pub command: EditCommand,
}

/// `edit` subcommands.
#[derive(Debug, Subcommand)]
pub enum EditCommand {
    /// Add an item to the kustomization file
    Add(AddArgs),
    /// Set the value of different fields in kustomization file
    Set(SetArgs),
    /// Remove items from the kustomization file
    Remove(RemoveArgs),
    /// Fix the missing fields in kustomization file
    Fix(FixArgs),
    /// Lists the builtin plugins (alpha).
    #[command(
        name = "alpha-list-builtin-plugin",
        about = "[Alpha] List the builtin plugins",
        long_about = None
    )]
    ListBuiltin,
}

/// `edit add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// What to add.
    #[command(subcommand)]
    pub command: AddCommand,
}

/// Positional arguments (after `--` they may start with `-`).
#[derive(Debug, Args, Clone)]
pub struct Rest {
    /// The arguments.
    #[arg(value_name = "ARG")]
    pub args: Vec<String>,
}

/// `edit add` subcommands.
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add the name of a file containing a resource to the kustomization file
    Resource {
        /// Files, directories, globs or remote targets.
        #[command(flatten)]
        rest: Rest,
        /// Skip validation for resources
        #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
              default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        no_verify: bool,
    },
    /// Add an item to patches field
    Patch(PatchFlags),
    /// Add the name of a file containing a component to the kustomization file
    Component(Rest),
    /// Add a secret to the kustomization file.
    Secret(GeneratorArgs),
    /// Add a configmap to the kustomization file
    Configmap(GeneratorArgs),
    /// Add one or more bases to the kustomization.yaml in current directory
    Base(Rest),
    /// Add one or more buildMetadata options to the kustomization.yaml in the current directory
    Buildmetadata(Rest),
    /// Add one or more commonLabels to kustomization.yaml
    Label {
        /// `key:value` pairs.
        #[command(flatten)]
        rest: Rest,
        /// Overwrite a label that already exists
        #[arg(short, long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
              default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        force: bool,
        /// Add the labels without adding them to selectors
        #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
              default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        without_selector: bool,
        /// Add the labels to templates too (requires --without-selector)
        #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
              default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        include_templates: bool,
    },
    /// Add one or more commonAnnotations to kustomization.yaml
    Annotation {
        /// `key:value` pairs.
        #[command(flatten)]
        rest: Rest,
        /// Overwrite an annotation that already exists
        #[arg(short, long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
              default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        force: bool,
    },
    /// Add the name of a file containing a transformer configuration to the kustomization file
    Transformer(Rest),
    /// Add the name of a file containing a generator configuration to the kustomization file
    Generator(Rest),
}

/// The flags of `add patch` and `remove patch`.
#[derive(Debug, Args, Clone)]
pub struct PatchFlags {
    /// Path to the patch file. Cannot be used with --patch at the same time.
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub path: String,
    /// Literal string of patch content. Cannot be used with --path at the same time.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub patch: String,
    /// API group in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub group: String,
    /// API version in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub version: String,
    /// Resource kind in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub kind: String,
    /// Resource name in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub name: String,
    /// Resource namespace in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namespace: String,
    /// Annotation selector in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub annotation_selector: String,
    /// Label selector in patch target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub label_selector: String,
}

/// The flags of `add configmap|secret`.
#[derive(Debug, Args, Clone)]
pub struct GeneratorArgs {
    /// NAME.
    #[command(flatten)]
    pub rest: Rest,
    /// Key file can be specified using its file path, in which case file basename will be used as key, or optionally with a key and file path, in which case the given key will be used. Specifying a directory will iterate each named file in the directory whose basename is a valid key.
    #[arg(long = "from-file", value_delimiter = ',', allow_hyphen_values = true)]
    pub from_file: Vec<String>,
    /// Specify a key and literal value to insert (i.e. mykey=somevalue)
    #[arg(long = "from-literal", allow_hyphen_values = true)]
    pub from_literal: Vec<String>,
    /// Specify the path to a file to read lines of key=val pairs to create (i.e. a Docker .env file).
    #[arg(
        long = "from-env-file",
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub from_env_file: String,
    /// Disable the name suffix for the generated object
    #[arg(long = "disableNameSuffixHash", num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub disable_name_suffix_hash: bool,
    /// Specify the behavior for generation: create (the default), merge or replace
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub behavior: String,
    /// Specify the namespace
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namespace: String,
    /// Specify the secret type this can be 'Opaque' (default), or 'kubernetes.io/tls' (secrets only)
    #[arg(long = "type", default_value = "Opaque", allow_hyphen_values = true)]
    pub secret_type: String,
}

/// `edit set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// What to set.
    #[command(subcommand)]
    pub command: SetCommand,
}

/// The flags of `set configmap|secret`.
#[derive(Debug, Args, Clone)]
pub struct SetGeneratorArgs {
    /// NAME.
    #[command(flatten)]
    pub rest: Rest,
    /// Specify an existing key and a new value to update (i.e. mykey=newvalue)
    #[arg(long = "from-literal", allow_hyphen_values = true)]
    pub from_literal: Vec<String>,
    /// Current namespace of the target
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub namespace: String,
    /// New namespace value for the target
    #[arg(
        long = "new-namespace",
        default_value = "",
        hide_default_value = true,
        allow_hyphen_values = true
    )]
    pub new_namespace: String,
}

/// `edit set` subcommands.
#[derive(Debug, Subcommand)]
pub enum SetCommand {
    /// Edit the value for an existing key for a ConfigMap in the kustomization.yaml file
    Configmap(SetGeneratorArgs),
    /// Edit the value for an existing key for a Secret in the kustomization.yaml file
    Secret(SetGeneratorArgs),
    /// Set the value of the namePrefix field in the kustomization file
    Nameprefix(Rest),
    /// Set the value of the nameSuffix field in the kustomization file
    Namesuffix(Rest),
    /// Set the value of the namespace field in the kustomization file
    Namespace(Rest),
    /// Set images and their new names, new tags or digests in the kustomization file
    Image(Rest),
    /// Set one or more buildMetadata options to the kustomization.yaml in the current directory
    Buildmetadata(Rest),
    /// Set replicas count for resources in the kustomization file
    Replicas(Rest),
    /// Set one or more commonLabels in kustomization.yaml
    Label(Rest),
    /// Set one or more commonAnnotations in kustomization.yaml
    Annotation(Rest),
}

/// `edit remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// What to remove.
    #[command(subcommand)]
    pub command: RemoveCommand,
}

/// `edit remove` subcommands.
#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// Remove the specified configmap(s) from kustomization.yaml
    Configmap {
        /// `NAME[,NAME]`.
        #[command(flatten)]
        rest: Rest,
        /// Namespace to remove ConfigMap(s) from
        #[arg(
            long,
            default_value = "",
            hide_default_value = true,
            allow_hyphen_values = true
        )]
        namespace: String,
    },
    /// Remove the specified secret(s) from kustomization.yaml
    Secret {
        /// `NAME[,NAME]`.
        #[command(flatten)]
        rest: Rest,
        /// Namespace to remove Secret(s) from
        #[arg(
            long,
            default_value = "",
            hide_default_value = true,
            allow_hyphen_values = true
        )]
        namespace: String,
    },
    /// Remove one or more resource file paths from kustomization.yaml
    Resource(Rest),
    /// Remove one or more commonLabels from kustomization.yaml
    Label {
        /// `KEY[,KEY]`.
        #[command(flatten)]
        rest: Rest,
        /// Ignore the error when a given label does not exist
        #[arg(short = 'i', long = "ignore-non-existence", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        ignore: bool,
    },
    /// Remove one or more commonAnnotations from kustomization.yaml
    Annotation {
        /// `KEY[,KEY]`.
        #[command(flatten)]
        rest: Rest,
        /// Ignore the error when a given annotation does not exist
        #[arg(short = 'i', long = "ignore-non-existence", num_args = 0..=1, require_equals = true,
              default_missing_value = "true", value_name = "BOOL", hide_default_value = true, default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
        ignore: bool,
    },
    /// Remove a patch from kustomization.yaml
    Patch(PatchFlags),
    /// Remove one or more transformers from kustomization.yaml
    Transformer(Rest),
    /// Remove one or more buildMetadata options from the kustomization.yaml in the current directory
    Buildmetadata(Rest),
}

/// `edit fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Convert vars to replacements too, rewriting the resource files that
    /// use them (best done in a clean git repository, where the change is
    /// easy to undo)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL", hide_default_value = true,
          default_value = "false", value_parser = go_bool, action = ArgAction::Set)]
    pub vars: bool,
}
