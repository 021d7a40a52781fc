//! Output order: kustomize's "legacy" kind order (its default) or input
//! order (`sortOptions: {order: fifo}`).

use crate::error::Error;
use crate::model::kustomization::SortOptions;
use crate::model::resid::{DEFAULT_ORDER_FIRST, DEFAULT_ORDER_LAST, Gvk, ResId};
use crate::model::resmap::ResMap;
use std::cmp::Ordering;
use std::collections::HashMap;

/// How to order the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// Input order.
    Fifo,
    /// By kind rank, then group/version/kind, then namespace and name.
    Legacy {
        /// Kinds first, in order.
        first: Vec<String>,
        /// Kinds last, in order.
        last: Vec<String>,
    },
}

impl Order {
    /// The default legacy order.
    pub fn legacy() -> Order {
        Order::Legacy {
            first: DEFAULT_ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
            last: DEFAULT_ORDER_LAST.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The order a kustomization's `sortOptions` asks for, with kustomize's
    /// validation.
    pub fn from_options(opts: &SortOptions) -> Result<Order, Error> {
        match opts.order.as_str() {
            "fifo" => {
                if opts.legacy_sort_options.is_some() {
                    return Err(Error::kustomization_field(
                        "sortOptions.legacySortOptions",
                        "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                    ));
                }
                Ok(Order::Fifo)
            }
            "legacy" => Ok(match &opts.legacy_sort_options {
                Some(l) => Order::Legacy {
                    first: l.order_first.clone(),
                    last: l.order_last.clone(),
                },
                None => Order::legacy(),
            }),
            _ => Err(Error::kustomization_field(
                "sortOptions.order",
                "the field 'sortOptions.order' must be one of [fifo, legacy]",
            )),
        }
    }
}

/// Sorts `rm` in place.
///
/// The comparison kustomize makes between two resources looks at their
/// GVKs first (rank, then GVK text) and, for equal GVKs, at namespace and
/// name. So the few distinct GVKs are ordered once, with that comparison,
/// and each resource sorts by its GVK's place, then by namespace and name:
/// no key strings per resource, no per-comparison GVK tests.
pub(crate) fn sort(rm: &mut ResMap, order: &Order) {
    let Order::Legacy { first, last } = order else {
        return;
    };
    let mut ranks: HashMap<&str, i64> = HashMap::new();
    for (i, k) in first.iter().enumerate() {
        ranks.insert(k, i as i64 - first.len() as i64);
    }
    for (i, k) in last.iter().enumerate() {
        ranks.insert(k, 1 + i as i64);
    }
    let resources = rm.resources_mut();
    // Each resource's GVK, as a position in `gvks`.
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let mut gvks: Vec<SortKey> = Vec::new();
    let mut keyed: Vec<(usize, &str, &str, usize)> = Vec::with_capacity(resources.len());
    for (i, r) in resources.iter().enumerate() {
        let (group, version) = crate::model::resid::split_api_version(r.api_version());
        let kind = r.kind();
        let g = *seen.entry((group, version, kind)).or_insert_with(|| {
            gvks.push(SortKey::new(
                ResId::new(Gvk::new(group, version, kind), "", ""),
                &ranks,
            ));
            gvks.len() - 1
        });
        let ns = match r.namespace() {
            "" => "~X",
            ns => ns,
        };
        let name = match r.name() {
            "" => "~N",
            name => name,
        };
        keyed.push((g, ns, name, i));
    }
    let mut by_order: Vec<usize> = (0..gvks.len()).collect();
    by_order.sort_by(|&a, &b| gvks[a].cmp(&gvks[b]));
    let mut place = vec![0; gvks.len()];
    for (p, &g) in by_order.iter().enumerate() {
        place[g] = p;
    }
    // Within a GVK, kustomize compares `<gvk>|<namespace>|<name>` as text:
    // the same as `<namespace>|<name>`.
    let text = |ns: &str, name: &str| {
        ns.bytes()
            .chain(std::iter::once(b'|'))
            .chain(name.bytes())
            .collect::<Vec<u8>>()
    };
    let mut keys: Vec<(usize, Vec<u8>, usize)> = keyed
        .into_iter()
        .map(|(g, ns, name, i)| (place[g], text(ns, name), i))
        .collect();
    keys.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut slots: Vec<Option<crate::model::resource::Resource>> =
        resources.drain(..).map(Some).collect();
    for (_, _, i) in keys {
        if let Some(r) = slots[i].take() {
            resources.push(r);
        }
    }
}

struct SortKey {
    rank: i64,
    gvk: Gvk,
    gvk_key: String,
    id_key: String,
}

impl SortKey {
    fn new(id: ResId, ranks: &HashMap<&str, i64>) -> Self {
        let rank = ranks.get(id.gvk.kind.as_str()).copied().unwrap_or(0);
        let gvk_key = id.gvk.stable_sort_key();
        let ns = if id.namespace.is_empty() {
            "~X"
        } else {
            &id.namespace
        };
        let name = if id.name.is_empty() { "~N" } else { &id.name };
        let id_key = format!("{}|{}|{}", id.gvk, ns, name);
        SortKey {
            rank,
            gvk: id.gvk,
            gvk_key,
            id_key,
        }
    }
}

impl PartialEq for SortKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.gvk != other.gvk {
            if self.rank != other.rank {
                return self.rank.cmp(&other.rank);
            }
            // kustomize puts a core-group Namespace after namespaces of
            // other groups.
            if self.gvk.kind == "Namespace"
                && other.gvk.kind == "Namespace"
                && (self.gvk.group.is_empty() || other.gvk.group.is_empty())
            {
                return other.gvk_key.cmp(&self.gvk_key);
            }
            return self.gvk_key.cmp(&other.gvk_key);
        }
        self.id_key.cmp(&other.id_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::resource::Resource;
    use rustomize_yaml::parse_one;

    fn res(api: &str, kind: &str, name: &str) -> Resource {
        Resource::new(
            parse_one(&format!(
                "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\n"
            ))
            .unwrap(),
        )
    }

    #[test]
    fn legacy_order_ranks_kinds_then_group_version_kind() {
        let mut rm: ResMap = [
            res("example.com/v1", "Apple", "a"),
            res("apps/v1", "Deployment", "d"),
            res("batch/v1", "Job", "j"),
            res("aaa.com/v1", "Zebra", "z"),
            res(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "w",
            ),
            res("v1", "Service", "b"),
            res("v1", "Service", "a"),
            res("v1", "Namespace", "n"),
        ]
        .into_iter()
        .collect();
        sort(&mut rm, &Order::legacy());
        let got: Vec<String> = rm
            .resources()
            .iter()
            .map(|r| format!("{}/{}", r.kind(), r.name()))
            .collect();
        assert_eq!(
            got,
            [
                "Namespace/n",
                "Service/a",
                "Service/b",
                "Deployment/d",
                "Zebra/z",
                "Job/j",
                "Apple/a",
                "ValidatingWebhookConfiguration/w"
            ]
        );
    }

    /// The sort as first written: a full key per resource, compared pairwise.
    fn reference_sort(rm: &mut ResMap, first: &[String], last: &[String]) {
        let mut ranks: HashMap<&str, i64> = HashMap::new();
        for (i, k) in first.iter().enumerate() {
            ranks.insert(k, i as i64 - first.len() as i64);
        }
        for (i, k) in last.iter().enumerate() {
            ranks.insert(k, 1 + i as i64);
        }
        let resources = rm.resources_mut();
        let mut keyed: Vec<(SortKey, usize)> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (SortKey::new(r.cur_id(), &ranks), i))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let mut slots: Vec<Option<Resource>> = resources.drain(..).map(Some).collect();
        for (_, i) in keyed {
            if let Some(r) = slots[i].take() {
                resources.push(r);
            }
        }
    }

    #[test]
    fn sort_agrees_with_pairwise_keys() {
        let apis = [
            "v1",
            "apps/v1",
            "example.com/v1",
            "a.io/v1",
            "z.io/v2",
            "/v1",
        ];
        let kinds = [
            "Namespace",
            "Service",
            "Deployment",
            "Foo",
            "ConfigMap",
            "ValidatingWebhookConfiguration",
        ];
        let namespaces = ["", "a", "ab", "a-b", "default", "~X"];
        let names = ["x", "x-1", "x.1", "y", "a|b"];
        let mut state: u64 = 7;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        for round in 0..200 {
            let mut docs = Vec::new();
            for _ in 0..1 + next(30) {
                let ns = namespaces[next(namespaces.len())];
                let ns_line = if ns.is_empty() {
                    String::new()
                } else {
                    format!(", namespace: {ns:?}")
                };
                docs.push(format!(
                    "apiVersion: {}\nkind: {}\nmetadata: {{name: {:?}{ns_line}}}\n",
                    apis[next(apis.len())],
                    kinds[next(kinds.len())],
                    names[next(names.len())],
                ));
            }
            let mut a: ResMap = docs
                .iter()
                .map(|d| Resource::new(parse_one(d).unwrap()))
                .collect();
            let mut b = a.clone();
            let (first, last) = if round % 2 == 0 {
                (
                    DEFAULT_ORDER_FIRST.map(String::from).to_vec(),
                    DEFAULT_ORDER_LAST.map(String::from).to_vec(),
                )
            } else {
                (vec!["Foo".to_string()], vec!["Namespace".to_string()])
            };
            sort(
                &mut a,
                &Order::Legacy {
                    first: first.clone(),
                    last: last.clone(),
                },
            );
            reference_sort(&mut b, &first, &last);
            let show = |rm: &ResMap| {
                rm.resources()
                    .iter()
                    .map(|r| r.cur_id().to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(show(&a), show(&b), "round {round}");
        }
    }
}
