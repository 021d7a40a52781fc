//! Which environment an object is deployed to, and why `check` thinks so.
//!
//! In order: `--env`; else the first configured environment whose
//! `namespaces` match the object's namespace; else the first whose `paths`
//! match the checked directory. Without `--env` and without configured
//! environments, `check` infers production: a checked directory whose path
//! has a segment `prod` or `production`, or an object whose namespace ends
//! in `-prod` or `-production`, is production. Inferred environments are
//! reported ("assumed") so the user can see and correct the guess.

use crate::Target;
use crate::config::Config;
use rustomize_engine::Resource;
use std::path::Component;

/// Path segments that make a checked directory production.
const PRODUCTION_SEGMENTS: &[&str] = &["prod", "production"];

/// Namespace suffixes that make an object production.
const PRODUCTION_SUFFIXES: &[&str] = &["-prod", "-production"];

/// One object's environment and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Choice<'a> {
    /// The environment's name.
    pub name: &'a str,
    /// Why.
    pub source: Source<'a>,
}

/// Where an environment came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Source<'a> {
    /// `--env`.
    Flag,
    /// The configuration (by namespace or path).
    Config,
    /// Inferred from a segment of the checked directory's path.
    PathSegment(&'a str),
    /// Inferred from the namespace's suffix.
    NamespaceSuffix(&'a str, &'static str),
}

impl Choice<'_> {
    /// Whether this is production (`production` or `prod`, any case).
    pub(crate) fn is_production(&self) -> bool {
        self.name.eq_ignore_ascii_case("production") || self.name.eq_ignore_ascii_case("prod")
    }

    /// For an inferred environment, what was assumed and why.
    pub(crate) fn assumption(&self) -> Option<String> {
        match self.source {
            Source::Flag | Source::Config => None,
            Source::PathSegment(seg) => Some(format!(
                "{}, because the path has a segment \"{seg}\"",
                self.name
            )),
            Source::NamespaceSuffix(ns, suffix) => Some(format!(
                "{} for namespace \"{ns}\", because it ends in \"{suffix}\"",
                self.name
            )),
        }
    }
}

/// Chooses environments for the objects of one target.
#[derive(Debug)]
pub(crate) struct Chooser<'a> {
    flag: Option<&'a str>,
    config: &'a Config,
    /// The configured environment of the checked directory.
    by_path: Option<&'a str>,
    /// The production segment of the checked directory, for inference.
    segment: Option<String>,
    infer: bool,
}

impl<'a> Chooser<'a> {
    /// The chooser for `target` under `--env` and `config`.
    pub(crate) fn new(flag: Option<&'a str>, config: &'a Config, target: &Target) -> Chooser<'a> {
        let by_path = target.dir.as_deref().and_then(|d| config.env_for_path(d));
        let segment = target.dir.as_deref().and_then(|d| {
            d.components().find_map(|c| match c {
                Component::Normal(s) => {
                    let s = s.to_string_lossy();
                    PRODUCTION_SEGMENTS
                        .iter()
                        .any(|p| s.eq_ignore_ascii_case(p))
                        .then(|| s.into_owned())
                }
                _ => None,
            })
        });
        Chooser {
            flag,
            config,
            by_path,
            segment,
            infer: flag.is_none() && config.environments.is_empty(),
        }
    }

    /// The environment of one object, if any is known or inferred.
    pub(crate) fn of<'r>(&'r self, r: &'r Resource) -> Option<Choice<'r>> {
        if let Some(name) = self.flag {
            return Some(Choice {
                name,
                source: Source::Flag,
            });
        }
        if let Some(name) = self
            .config
            .env_for_namespace(r.namespace())
            .or(self.by_path)
        {
            return Some(Choice {
                name,
                source: Source::Config,
            });
        }
        if !self.infer {
            return None;
        }
        if let Some(seg) = &self.segment {
            return Some(Choice {
                name: "production",
                source: Source::PathSegment(seg),
            });
        }
        let ns = r.namespace();
        PRODUCTION_SUFFIXES
            .iter()
            .find(|s| ns.len() > s.len() && ns.ends_with(*s))
            .map(|&suffix| Choice {
                name: "production",
                source: Source::NamespaceSuffix(ns, suffix),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::rows;

    fn object(ns: &str) -> Resource {
        let yaml =
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: {ns}}}\n");
        let doc = rustomize_yaml::parse_one(&yaml).unwrap();
        Resource::new(doc)
    }

    #[test]
    fn infers_production_from_path_or_namespace() {
        let config = Config::default();
        rows(
            &[
                (
                    "overlays/production",
                    "app",
                    Some("production, because the path has a segment \"production\""),
                ),
                (
                    "deploy/prod/eu",
                    "app",
                    Some("production, because the path has a segment \"prod\""),
                ),
                (
                    "overlays/staging",
                    "dojo-prod",
                    Some("production for namespace \"dojo-prod\", because it ends in \"-prod\""),
                ),
                (
                    "overlays/x",
                    "app-production",
                    Some(
                        "production for namespace \"app-production\", because it ends in \"-production\"",
                    ),
                ),
                ("overlays/products", "app", None),
                ("overlays/staging", "prod", None),
                ("overlays/staging", "app-staging", None),
            ],
            |&(dir, ns, want)| {
                let chooser = Chooser::new(None, &config, &Target::built(dir));
                let r = object(ns);
                let got = chooser.of(&r).and_then(|c| c.assumption());
                (got.as_deref() == want)
                    .then_some(())
                    .ok_or(format!("got {got:?}"))
            },
        );
    }

    #[test]
    fn flag_and_configuration_are_not_assumptions() {
        let r = object("dojo-prod");
        let config = Config::default();
        let c = Chooser::new(
            Some("staging"),
            &config,
            &Target::built("overlays/production"),
        );
        assert_eq!(
            c.of(&r).map(|c| (c.name, c.source)),
            Some(("staging", Source::Flag))
        );
        // Configured environments turn inference off.
        let config =
            crate::parse_config("environments:\n  staging:\n    namespaces: [x]\n").unwrap();
        let c = Chooser::new(None, &config, &Target::built("overlays/production"));
        assert_eq!(c.of(&r), None);
    }
}
