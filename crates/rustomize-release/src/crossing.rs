//! What a rollback cannot undo: the data on volumes and what Jobs did.
//!
//! Git rolls the manifests back; a database file on a volume, or a schema
//! migration a Job ran, stays as the newer release left it. When the
//! rendered objects of a rollback change a PersistentVolumeClaim, the
//! volumeClaimTemplates of a StatefulSet, or drop a Job or CronJob that
//! the release added, [`notes`] says so, one line per object.

use rustomize_diff::{Comparison, Status};

/// One line per object of the comparison (from the environment now to the
/// environment rolled back) that touches state a rollback leaves as it is.
pub fn notes(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for o in &c.objects {
        let id = &o.id;
        let name = if id.namespace.is_empty() {
            format!("{} {}", id.kind, id.name)
        } else {
            format!("{} {}/{}", id.kind, id.namespace, id.name)
        };
        match (id.kind.as_str(), o.status) {
            ("PersistentVolumeClaim", Status::Added) => {
                out.push(format!("{name} is added: the data it will hold starts empty"))
            }
            ("PersistentVolumeClaim", Status::Removed) => out.push(format!(
                "{name} is no longer in the output: its volume and data stay until it is deleted"
            )),
            ("PersistentVolumeClaim", Status::Changed) => out.push(format!(
                "{name} changes ({}): the data on its volume is not rolled back",
                fields(o)
            )),
            ("StatefulSet", Status::Changed)
                if o
                    .fields
                    .iter()
                    .any(|f| f.path.to_string().starts_with("spec.volumeClaimTemplates")) =>
            {
                out.push(format!(
                    "{name}: its volumeClaimTemplates change; the claims it made keep their data (and Kubernetes does not update them)"
                ))
            }
            ("StatefulSet", Status::Added | Status::Removed)
                if o.left_yaml.contains("volumeClaimTemplates:")
                    || o.right_yaml.contains("volumeClaimTemplates:") =>
            {
                out.push(format!(
                    "{name} is {}: the claims of its volumeClaimTemplates keep their data",
                    o.status.as_str()
                ))
            }
            ("Job" | "CronJob", Status::Removed) => out.push(format!(
                "{name} was added by the release rolled back: what it already did (a migration) is not undone"
            )),
            _ => {}
        }
    }
    out
}

fn fields(o: &rustomize_diff::ObjectDiff) -> String {
    let paths: Vec<String> = o.fields.iter().map(|f| f.path.to_string()).collect();
    if paths.is_empty() {
        "its spec".to_string()
    } else {
        paths.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::notes;
    use rustomize_diff::{Options, compare};

    fn docs(s: &str) -> Vec<rustomize_yaml::Node> {
        rustomize_yaml::parse_documents(s).unwrap()
    }

    #[test]
    fn claims_templates_and_jobs_are_noted() {
        let now = docs(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {resources: {requests: {storage: 2Gi}}}\n---\n\
             apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate-v2}\nspec: {template: {spec: {containers: [{name: m, image: 'm:2'}]}}}\n---\n\
             apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {volumeClaimTemplates: [{metadata: {name: d}, spec: {resources: {requests: {storage: 2Gi}}}}]}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n",
        );
        let back = docs(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: {resources: {requests: {storage: 1Gi}}}\n---\n\
             apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {volumeClaimTemplates: [{metadata: {name: d}, spec: {resources: {requests: {storage: 1Gi}}}}]}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n",
        );
        let c = compare(&now, &back, &Options::default()).unwrap();
        let n = notes(&c);
        assert_eq!(n.len(), 3, "{n:#?}");
        assert!(
            n.iter().any(|l| l.starts_with(
                "PersistentVolumeClaim data changes (spec.resources.requests.storage)"
            )),
            "{n:#?}"
        );
        assert!(
            n.iter()
                .any(|l| l.starts_with("Job migrate-v2 was added by the release")),
            "{n:#?}"
        );
        assert!(
            n.iter()
                .any(|l| l.starts_with("StatefulSet db: its volumeClaimTemplates change")),
            "{n:#?}"
        );
        assert!(notes(&compare(&back, &back, &Options::default()).unwrap()).is_empty());
    }
}
