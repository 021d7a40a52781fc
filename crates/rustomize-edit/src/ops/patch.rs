//! `edit add patch` and `edit remove patch`.

use super::{OpError, Outcome};
use crate::kustomization::{Kustomization, item_get};
use crate::value::Value;

/// A patch given by flags: kustomize's `types.Patch` with a `Selector`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PatchArgs {
    /// `--path`.
    pub path: String,
    /// `--patch`.
    pub patch: String,
    /// `--group`, `--version`, `--kind`, `--name`, `--namespace`,
    /// `--annotation-selector`, `--label-selector`, in that order.
    pub target: [String; 7],
}

const TARGET_KEYS: [&str; 7] = [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "annotationSelector",
    "labelSelector",
];

/// A patch entry as kustomize compares them (`Patch.Equals`).
#[derive(Debug, PartialEq)]
struct Key {
    path: String,
    patch: String,
    target: Option<[String; 7]>,
    options: Option<Vec<(String, bool)>>,
}

fn key_of(v: &Value) -> Key {
    let Value::Map(e) = v else {
        return Key {
            path: String::new(),
            patch: String::new(),
            target: None,
            options: None,
        };
    };
    let s = |k: &str| {
        item_get(e, k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let target = match item_get(e, "target") {
        Some(Value::Map(t)) => {
            let mut out: [String; 7] = Default::default();
            for (i, k) in TARGET_KEYS.iter().enumerate() {
                out[i] = item_get(t, k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
            }
            Some(out)
        }
        _ => None,
    };
    let options = match item_get(e, "options") {
        Some(Value::Map(o)) => {
            let mut pairs: Vec<(String, bool)> = o
                .iter()
                .map(|(k, v)| (k.clone(), matches!(v, Value::Bool(true))))
                .collect();
            pairs.sort();
            Some(pairs)
        }
        _ => None,
    };
    Key {
        path: s("path"),
        patch: s("patch"),
        target,
        options,
    }
}

impl PatchArgs {
    fn key(&self) -> Key {
        Key {
            path: self.path.clone(),
            patch: self.patch.clone(),
            target: self
                .target
                .iter()
                .any(|t| !t.is_empty())
                .then(|| self.target.clone()),
            options: None,
        }
    }

    fn to_value(&self) -> Value {
        let mut e = Vec::new();
        if !self.path.is_empty() {
            e.push(("path".to_string(), Value::str(&self.path)));
        }
        if !self.patch.is_empty() {
            e.push(("patch".to_string(), Value::str(&self.patch)));
        }
        if self.target.iter().any(|t| !t.is_empty()) {
            let t = TARGET_KEYS
                .iter()
                .zip(&self.target)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), Value::str(v)))
                .collect();
            e.push(("target".to_string(), Value::Map(t)));
        }
        Value::Map(e)
    }

    fn validate(&self, add: bool) -> Result<(), OpError> {
        if !self.patch.is_empty() && !self.path.is_empty() {
            return Err(OpError::new("patch and path can't be set at the same time"));
        }
        if add && self.patch.is_empty() && self.path.is_empty() {
            return Err(OpError::new("must provide either patch or path"));
        }
        Ok(())
    }

    /// How kustomize logs the patch (`%#v` of `types.Patch`).
    fn go_repr(&self) -> String {
        let target = if self.target.iter().any(|t| !t.is_empty()) {
            format!(
                "(*types.Selector)({{ResId:resid.ResId{{Gvk:resid.Gvk{{Group:{:?}, Version:{:?}, Kind:{:?}, isClusterScoped:false}}, Name:{:?}, Namespace:{:?}}}, AnnotationSelector:{:?}, LabelSelector:{:?}}})",
                self.target[0],
                self.target[1],
                self.target[2],
                self.target[3],
                self.target[4],
                self.target[5],
                self.target[6]
            )
        } else {
            "(*types.Selector)(nil)".to_string()
        };
        format!(
            "types.Patch{{Path:{:?}, Patch:{:?}, Target:{target}, Options:map[string]bool(nil)}}",
            self.path, self.patch
        )
    }
}

/// Validates `edit add patch`'s flags.
pub fn validate_add(p: &PatchArgs) -> Result<(), OpError> {
    p.validate(true)
}

/// Validates `edit remove patch`'s flags.
pub fn validate_remove(p: &PatchArgs) -> Result<(), OpError> {
    p.validate(false)
}

/// `edit add patch`: appended unless an equal patch is listed (then
/// nothing is written).
pub fn add_patch(k: &mut Kustomization, p: &PatchArgs) -> Outcome {
    let mut patches = k.items("patches");
    let key = p.key();
    if patches.iter().any(|v| key_of(v) == key) {
        return Outcome {
            log: vec![format!(
                "patch {} already in kustomization file",
                p.go_repr()
            )],
            write: false,
            files: Vec::new(),
        };
    }
    patches.push(p.to_value());
    k.set_items("patches", patches);
    Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    }
}

/// `edit remove patch`: removes every equal patch; nothing is written when
/// there is none.
pub fn remove_patch(k: &mut Kustomization, p: &PatchArgs) -> Outcome {
    let patches = k.items("patches");
    let key = p.key();
    let kept: Vec<Value> = patches
        .iter()
        .filter(|v| key_of(v) != key)
        .cloned()
        .collect();
    if kept.len() == patches.len() {
        return Outcome {
            log: vec![format!(
                "patch {} doesn't exist in kustomization file",
                p.patch
            )],
            write: false,
            files: Vec::new(),
        };
    }
    k.set_items("patches", kept);
    Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    }
}
