//! `named-port`: ports named by a string resolve. A probe's or lifecycle
//! hook's `httpGet.port`/`tcpSocket.port` names a port of the same
//! container; a Service's `targetPort` name is a container port name of a
//! pod the Service selects; an Ingress backend's `service.port.name` or
//! `.number` is a port of that Service.

use super::{Hit, Rule};
use crate::context::Context;
use crate::finding::Severity;
use crate::workload::{Container, Selector, namespace_of, pod_template, q, text};
use rustomize_engine::Resource;
use rustomize_yaml::{Node, Tag};

/// See the module docs.
pub(crate) struct NamedPort;

impl Rule for NamedPort {
    fn id(&self) -> &'static str {
        "named-port"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "Ports named by probes, Service targetPorts and Ingress backends exist."
    }

    fn check(&self, cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
        if let Some(pt) = pod_template(r) {
            for c in pt.containers() {
                container_ports(&c, out);
            }
        }
        match (r.kind(), r.api_version()) {
            ("Service", "v1") => service(cx, r, out),
            ("Ingress", _) => ingress(cx, r, out),
            _ => {}
        }
    }
}

/// A port given by name: a string scalar that is not a number.
fn port_name(n: Option<&Node>) -> Option<&str> {
    let s = n?.as_scalar()?;
    (s.tag == Tag::Str && !s.value.is_empty() && !s.value.bytes().all(|b| b.is_ascii_digit()))
        .then_some(s.value.as_str())
}

fn names_of<'a>(c: &Container<'a>) -> Vec<&'a str> {
    c.map
        .get("ports")
        .and_then(Node::as_seq)
        .map(|ports| ports.iter().filter_map(|p| text(p.get("name"))).collect())
        .unwrap_or_default()
}

fn container_ports(c: &Container<'_>, out: &mut Vec<Hit>) {
    let names = names_of(c);
    let mut check = |handler: &Node, path: String| {
        for kind in ["httpGet", "tcpSocket"] {
            if let Some(name) = port_name(handler.get_path(&[kind, "port"]))
                && !names.contains(&name)
            {
                out.push(Hit::new(
                    format!("{path}.{kind}.port"),
                    format!(
                        "container {} has no port named {} ({}): the {} fails",
                        q(c.name),
                        q(name),
                        shown(&names),
                        if path.ends_with("Probe") {
                            "probe"
                        } else {
                            "hook"
                        }
                    ),
                ));
            }
        }
    };
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        if let Some(p) = c.map.get(probe) {
            check(p, c.at(probe));
        }
    }
    for hook in ["postStart", "preStop"] {
        if let Some(h) = c.map.get("lifecycle").and_then(|l| l.get(hook)) {
            check(h, c.at(&format!("lifecycle.{hook}")));
        }
    }
}

fn shown(names: &[&str]) -> String {
    if names.is_empty() {
        "it names none".to_string()
    } else {
        format!("it has {}", names.join(", "))
    }
}

fn service(cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
    let Some(sel) = r
        .node
        .get_path(&["spec", "selector"])
        .and_then(Node::as_map)
    else {
        return;
    };
    let selector = Selector::map(sel);
    if selector.is_empty() {
        return;
    }
    let pods: Vec<_> = cx
        .index
        .pods(namespace_of(r))
        .iter()
        .filter(|(_, pt)| selector.matches(pt.labels))
        .collect();
    if pods.is_empty() {
        return; // service-selector reports it
    }
    let ports = r.node.get_path(&["spec", "ports"]).and_then(Node::as_seq);
    for (i, p) in ports.into_iter().flatten().enumerate() {
        let Some(name) = port_name(p.get("targetPort")) else {
            continue;
        };
        let found = pods
            .iter()
            .any(|(_, pt)| pt.containers().iter().any(|c| names_of(c).contains(&name)));
        if !found {
            out.push(Hit::new(
                format!("spec.ports[{i}].targetPort"),
                format!(
                    "no container of the pods this Service selects has a port named {}: the Service has no endpoints on it",
                    q(name)
                ),
            ));
        }
    }
}

fn ingress(cx: &Context<'_>, r: &Resource, out: &mut Vec<Hit>) {
    let Some(spec) = r.node.get("spec") else {
        return;
    };
    let ns = namespace_of(r);
    let mut backend = |b: &Node, path: String| {
        // networking.k8s.io/v1: service.{name, port.{name|number}};
        // older: serviceName and servicePort.
        let (name, port, port_path) = match b.get("service") {
            Some(s) => {
                let port = s.get("port");
                let (value, key) = match port.and_then(|p| p.get("name")) {
                    Some(n) => (Some(n), "name"),
                    None => (port.and_then(|p| p.get("number")), "number"),
                };
                (
                    text(s.get("name")),
                    value,
                    format!("{path}.service.port.{key}"),
                )
            }
            None => (
                text(b.get("serviceName")),
                b.get("servicePort"),
                format!("{path}.servicePort"),
            ),
        };
        let (Some(name), Some(port)) = (name, port.and_then(Node::as_scalar)) else {
            return;
        };
        let Some(svc) = cx.index.get("Service", ns, name) else {
            return; // dangling-reference reports it
        };
        let ports = svc.node.get_path(&["spec", "ports"]).and_then(Node::as_seq);
        let ports: Vec<&Node> = ports.into_iter().flatten().collect();
        let by_name = port.tag == Tag::Str && !port.value.bytes().all(|b| b.is_ascii_digit());
        let found = ports.iter().any(|p| {
            let key = if by_name { "name" } else { "port" };
            p.get(key)
                .and_then(Node::as_scalar)
                .is_some_and(|s| s.value == port.value)
        });
        if !found {
            let have: Vec<String> = ports
                .iter()
                .filter_map(|p| {
                    let key = if by_name { "name" } else { "port" };
                    p.get(key)
                        .and_then(Node::as_scalar)
                        .map(|s| s.value.to_string())
                })
                .collect();
            out.push(Hit::new(
                port_path,
                format!(
                    "Service {} has no port {} {} ({}): the backend answers 503",
                    q(name),
                    if by_name { "named" } else { "numbered" },
                    if by_name {
                        q(&port.value)
                    } else {
                        port.value.to_string()
                    },
                    if have.is_empty() {
                        "it has none".to_string()
                    } else {
                        format!("it has {}", have.join(", "))
                    }
                ),
            ));
        }
    };
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.get(key) {
            backend(b, format!("spec.{key}"));
        }
    }
    let rules = spec.get("rules").and_then(Node::as_seq);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let paths = rule.get_path(&["http", "paths"]).and_then(Node::as_seq);
        for (j, p) in paths.into_iter().flatten().enumerate() {
            if let Some(b) = p.get("backend") {
                backend(b, format!("spec.rules[{i}].http.paths[{j}].backend"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{GOOD_APP, findings};

    const RULE: &str = "named-port";

    fn named() -> String {
        GOOD_APP
            .replace(
                "- containerPort: 8000",
                "- {name: http, containerPort: 8000}",
            )
            .replace("port: 8000}", "port: http}")
            .replace("targetPort: 8000", "targetPort: http")
    }

    const INGRESS: &str = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec:\n  rules:\n  \
- http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            \
name: api\n            port: {number: 80}\n";

    #[test]
    fn ports_that_exist_pass() {
        assert_eq!(findings(RULE, GOOD_APP), "");
        assert_eq!(findings(RULE, &format!("{}{INGRESS}", named())), "");
    }

    #[test]
    fn probe_naming_a_missing_port_fails() {
        let yaml = named().replace(
            "readinessProbe:\n          httpGet: {path: /healthz, port: http}",
            "readinessProbe:\n          httpGet: {path: /healthz, port: web}",
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:22: error[named-port] Deployment api: spec.template.spec.containers[0].readinessProbe.httpGet.port: \
container \"api\" has no port named \"web\" (it has http): the probe fails\n"
        );
    }

    #[test]
    fn service_target_port_naming_a_missing_port_fails() {
        let yaml = named().replace("targetPort: http", "targetPort: https");
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:54: error[named-port] Service api: spec.ports[0].targetPort: no container of the pods this Service \
selects has a port named \"https\": the Service has no endpoints on it\n"
        );
    }

    #[test]
    fn ingress_port_missing_on_the_service_fails() {
        let yaml = format!(
            "{}{}",
            named(),
            INGRESS.replace("port: {number: 80}", "port: {number: 8080}")
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:68: error[named-port] Ingress api: spec.rules[0].http.paths[0].backend.service.port.number: \
Service \"api\" has no port numbered 8080 (it has 80): the backend answers 503\n"
        );
        let yaml = format!(
            "{}{}",
            named(),
            INGRESS.replace("port: {number: 80}", "port: {name: web}")
        );
        assert_eq!(
            findings(RULE, &yaml),
            "app.yaml:68: error[named-port] Ingress api: spec.rules[0].http.paths[0].backend.service.port.name: \
Service \"api\" has no port named \"web\" (it has none): the backend answers 503\n"
        );
    }
}
