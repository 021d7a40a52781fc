//! `edit set image` and `edit set replicas`.

use super::{OpError, Outcome};
use crate::kustomization::{Kustomization, item_get};
use crate::value::{FastMap, Value};
use std::collections::HashSet;

/// One `images` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// `name`.
    pub name: String,
    /// `newName`.
    pub new_name: String,
    /// `tagSuffix`.
    pub tag_suffix: String,
    /// `newTag`.
    pub new_tag: String,
    /// `digest`.
    pub digest: String,
}

fn s(entries: &[(String, Value)], key: &str) -> String {
    item_get(entries, key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Image {
    fn from_value(v: &Value) -> Image {
        let Value::Map(e) = v else {
            return Image::default();
        };
        Image {
            name: s(e, "name"),
            new_name: s(e, "newName"),
            tag_suffix: s(e, "tagSuffix"),
            new_tag: s(e, "newTag"),
            digest: s(e, "digest"),
        }
    }

    fn to_value(&self) -> Value {
        let mut e = Vec::new();
        for (k, v) in [
            ("name", &self.name),
            ("newName", &self.new_name),
            ("tagSuffix", &self.tag_suffix),
            ("newTag", &self.new_tag),
            ("digest", &self.digest),
        ] {
            if !v.is_empty() {
                e.push((k.to_string(), Value::str(v)));
            }
        }
        Value::Map(e)
    }
}

const IMAGE_FORMATS: &str = "invalid format of image, use one of the following options:
- <image>=<newimage>:<newtag>
- <image>=<newimage>@<digest>
- <image>=<newimage>:<newtag>@<digest>
- <image>=<newimage>
- <image>:<newtag>
- <image>:<newtag>@<digest>
- <image>@<digest>";

/// kustomize's `image.Split`: name, tag, digest (a registry's `host:port`
/// before the first `/` is not a tag).
fn split_image_name(image: &str) -> (String, String, String) {
    let slash = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    let own = |s: &str| s.to_string();
    match (ic, id) {
        (None, None) => (own(image), String::new(), String::new()),
        (None, Some(id)) => {
            let id = id + slash;
            (own(&image[..id]), String::new(), own(&image[id + 1..]))
        }
        (Some(ic), Some(id)) if id < ic => {
            let id = id + slash;
            (own(&image[..id]), String::new(), own(&image[id + 1..]))
        }
        (Some(ic), Some(id)) => {
            let (ic, id) = (ic + slash, id + slash);
            (
                own(&image[..ic]),
                own(&image[ic + 1..id]),
                own(&image[id + 1..]),
            )
        }
        (Some(ic), None) => {
            let ic = ic + slash;
            (own(&image[..ic]), own(&image[ic + 1..]), String::new())
        }
    }
}

/// Parses one `set image` argument.
pub fn parse_image(arg: &str) -> Result<Image, OpError> {
    let (key, value) = match arg.split_once('=') {
        Some((k, v)) => (k, v),
        None => ("", arg),
    };
    let (name, tag, digest) = split_image_name(value);
    if name == arg {
        return Err(OpError::new(IMAGE_FORMATS));
    }
    let mut img = Image {
        new_tag: tag,
        digest,
        ..Image::default()
    };
    if key.is_empty() {
        img.name = name;
    } else {
        img.name = key.to_string();
        img.new_name = name;
    }
    Ok(img)
}

/// `edit set image`: the arguments replace the entries of the same name
/// (`*` keeps the entry's own new name, tag or digest); the list comes out
/// sorted by name, one entry per name, as kustomize writes it.
pub fn set_images(k: &mut Kustomization, args: &[Image]) -> Outcome {
    const KEEP: &str = "*";
    // Entries by name, in first-seen order (an index keeps long lists
    // linear).
    let mut map: Vec<(String, Image)> = Vec::new();
    let mut index: FastMap<String, usize> = FastMap::default();
    let put = |map: &mut Vec<(String, Image)>, index: &mut FastMap<String, usize>, img: Image| {
        match index.get(&img.name) {
            Some(&i) => map[i].1 = img,
            None => {
                index.insert(img.name.clone(), map.len());
                map.push((img.name.clone(), img));
            }
        }
    };
    for a in args {
        put(&mut map, &mut index, a.clone());
    }
    let arg_names: HashSet<&str> = args.iter().map(|a| a.name.as_str()).collect();
    let existing: Vec<Image> = match k.get("images") {
        Some(Value::Seq(items)) => items.iter().map(Image::from_value).collect(),
        _ => Vec::new(),
    };
    for im in existing {
        if arg_names.contains(im.name.as_str()) {
            let Some(&i) = index.get(&im.name) else {
                continue;
            };
            let arg = &mut map[i].1;
            let mut a = Image {
                tag_suffix: String::new(),
                ..arg.clone()
            };
            if a.new_name == KEEP {
                a.new_name = im.new_name.clone();
            }
            if a.new_tag == KEEP {
                a.new_tag = im.new_tag.clone();
            }
            if a.digest == KEEP {
                a.digest = im.digest.clone();
            }
            *arg = a;
            continue;
        }
        put(&mut map, &mut index, im);
    }
    let mut images: Vec<Image> = map
        .into_iter()
        .map(|(_, mut v)| {
            for f in [&mut v.new_name, &mut v.new_tag, &mut v.digest] {
                if f == KEEP {
                    f.clear();
                }
            }
            v
        })
        .collect();
    images.sort_by(|a, b| a.name.cmp(&b.name));
    k.set_items("images", images.iter().map(Image::to_value).collect());
    Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    }
}

/// One `replicas` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    /// `name`.
    pub name: String,
    /// `count`.
    pub count: i64,
}

/// Parses one `set replicas` argument (`name=count`).
pub fn parse_replica(arg: &str) -> Result<Replica, OpError> {
    let err =
        || OpError::new("invalid format of replica, use the following format: <name>=<count>");
    let parts: Vec<&str> = arg.split('=').collect();
    if parts.len() != 2 {
        return Err(err());
    }
    let count = go_parse_int(parts[1]).ok_or_else(err)?;
    Ok(Replica {
        name: parts[0].to_string(),
        count,
    })
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `edit set replicas`: entries of the arguments' names are replaced; the
/// list comes out sorted by name.
pub fn set_replicas(k: &mut Kustomization, args: &[Replica]) -> Outcome {
    let mut map: Vec<Replica> = Vec::new();
    for a in args {
        match map.iter_mut().find(|r| r.name == a.name) {
            Some(slot) => *slot = a.clone(),
            None => map.push(a.clone()),
        }
    }
    for v in k.items("replicas") {
        let Value::Map(e) = &v else { continue };
        let name = s(e, "name");
        if args.iter().any(|a| a.name == name) {
            continue;
        }
        let count = match item_get(e, "count") {
            Some(Value::Int(i)) => *i,
            Some(Value::Float(f)) => *f as i64,
            _ => 0,
        };
        match map.iter_mut().find(|r| r.name == name) {
            Some(slot) => slot.count = count,
            None => map.push(Replica { name, count }),
        }
    }
    map.sort_by(|a, b| a.name.cmp(&b.name));
    let items = map
        .into_iter()
        .map(|r| {
            let mut e = Vec::new();
            if !r.name.is_empty() {
                e.push(("name".to_string(), Value::Str(r.name)));
            }
            e.push(("count".to_string(), Value::Int(r.count)));
            Value::Map(e)
        })
        .collect();
    k.set_items("replicas", items);
    Outcome {
        log: Vec::new(),
        write: true,
        files: Vec::new(),
    }
}
