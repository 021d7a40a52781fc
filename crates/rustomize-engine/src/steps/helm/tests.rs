//! Helm inflation against a stand-in `helm` script that records its
//! arguments and prints a fixture. The expected argument lists and values
//! files were taken from `kubectl kustomize` (kustomize v5.5.0) running the
//! same stand-in.

#![cfg(unix)]

use super::*;
use crate::model::kustomization;
use indoc::indoc;
use rustomize_loader::{DiskFs, LoadRestrictor};
use std::fs;
use std::sync::Arc;
use tempfile::TempDir;

/// A kustomization directory with a stand-in helm.
struct Fixture {
    _dir: TempDir,
    root: PathBuf,
    helm: PathBuf,
    calls: PathBuf,
}

const TEMPLATE_OUTPUT: &str = indoc! {"
    ---
    # Source: mychart/templates/cm.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: rel-cm
      namespace: ns1
    data:
      foo: \"bar\"
    ---
    # Source: mychart/templates/svc.yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: rel-svc
    spec:
      ports:
      - port: 80
"};

impl Fixture {
    /// `version` is what `helm version -c --short` prints; `template_exit`
    /// the exit code of `helm template`.
    fn new(version: &str, template_exit: i32) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        let calls = dir.path().join("calls");
        fs::create_dir_all(root.join("charts/mychart")).unwrap();
        fs::create_dir_all(&calls).unwrap();
        fs::write(dir.path().join("template.yaml"), TEMPLATE_OUTPUT).unwrap();
        let helm = dir.path().join("bin/helm");
        fs::create_dir_all(helm.parent().unwrap()).unwrap();
        let script = format!(
            r#"#!/bin/sh
calls='{calls}'
n=$(ls "$calls" | grep -c args)
for a; do printf '%s\n' "$a"; done > "$calls/$n.args"
env | grep '^HELM_' | sort > "$calls/$n.env"
case "$1" in
version) echo '{version}' ;;
pull) mkdir -p "$4/$(eval echo \$$#)" ;;
template)
  prev=""
  for a; do
    if [ "$prev" = "-f" ] && [ ! -e "$calls/$n.values" ]; then cp "$a" "$calls/$n.values"; fi
    prev="$a"
  done
  echo 'template failed: bad values' >&2
  [ {exit} -eq 0 ] && cat '{template}'
  exit {exit} ;;
esac
"#,
            calls = calls.display(),
            template = dir.path().join("template.yaml").display(),
            exit = template_exit,
        );
        fs::write(&helm, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&helm, fs::Permissions::from_mode(0o755)).unwrap();
        }
        Fixture {
            root: fs::canonicalize(&root).unwrap(),
            helm,
            calls,
            _dir: dir,
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn loader(&self) -> Loader {
        Loader::new(Arc::new(DiskFs), &self.root, LoadRestrictor::RootOnly).unwrap()
    }

    fn opts(&self) -> PluginOptions {
        PluginOptions {
            enable_helm: true,
            helm_command: self.helm.to_string_lossy().into_owned(),
            ..PluginOptions::default()
        }
    }

    /// The generators of the kustomization's `helmCharts`.
    fn generators(
        &self,
        kustomization: &str,
        opts: &PluginOptions,
    ) -> Result<Vec<HelmChartInflationGenerator>, Error> {
        let (k, _) = kustomization::parse(kustomization, "kustomization.yaml").unwrap();
        k.helm_charts
            .iter()
            .map(|c| {
                HelmChartInflationGenerator::from_kustomization(
                    k.helm_globals.as_ref(),
                    c,
                    &self.loader(),
                    opts,
                )
            })
            .collect()
    }

    /// The arguments of the `n`th helm run, with the temporary directory
    /// shown as `$TMP` and the root as `$ROOT`.
    fn args(&self, n: usize) -> Vec<String> {
        let text = fs::read_to_string(self.calls.join(format!("{n}.args"))).unwrap();
        let tmp_re = regex::Regex::new(r"^/.*/kustomize-helm-[^/]+/").unwrap();
        text.lines()
            .map(|l| {
                let l = tmp_re.replace(l, "$$TMP/").into_owned();
                l.replace(&self.root.to_string_lossy().into_owned(), "$ROOT")
            })
            .collect()
    }

    fn env(&self, n: usize) -> String {
        let text = fs::read_to_string(self.calls.join(format!("{n}.env"))).unwrap();
        regex::Regex::new(r"/[^=\n]*/kustomize-helm-[^/\n]+/")
            .unwrap()
            .replace_all(&text, "$$TMP/")
            .into_owned()
    }

    fn values(&self, n: usize) -> String {
        fs::read_to_string(self.calls.join(format!("{n}.values"))).unwrap()
    }

    fn call_count(&self) -> usize {
        fs::read_dir(&self.calls)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "args")
            })
            .count()
    }
}

fn names(rs: &[Resource]) -> Vec<String> {
    rs.iter().map(|r| r.cur_id().to_string()).collect()
}

#[test]
fn template_arguments_and_merged_values_as_kustomize_builds_them() {
    let f = Fixture::new("v3.14.2+gc309b6f", 0);
    f.write(
        "charts/mychart/values.yaml",
        indoc! {r#"
            # chart values
            foo: baz
            list:
            - a
            - b
            nested:
              x: 1
              y: "two"
              deep: {k: v}
            empty:
            nullv: null
            num: 0777
            yes_: yes
        "#},
    );
    let gens = f
        .generators(
            indoc! {"
                helmCharts:
                - name: mychart
                  releaseName: rel
                  namespace: ns1
                  valuesInline:
                    foo: bar
                    list: [c]
                    nested:
                      y: three
                      deep: {z: w}
                    added: 1.50
                    s: \"on\"
            "},
            &f.opts(),
        )
        .unwrap();
    let out = gens[0].generate(&f.loader()).unwrap();
    assert_eq!(
        names(&out),
        [
            "ConfigMap.v1.[noGrp]/rel-cm.ns1",
            "Service.v1.[noGrp]/rel-svc.[noNs]"
        ]
    );
    assert_eq!(f.args(0), ["version", "-c", "--short"]);
    assert_eq!(
        f.args(1),
        [
            "template",
            "rel",
            "$ROOT/charts/mychart",
            "--namespace",
            "ns1",
            "-f",
            "$TMP/mychart-kustomize-values.yaml",
        ]
    );
    assert_eq!(
        f.env(1),
        indoc! {"
            HELM_CACHE_HOME=$TMP/helm/.cache
            HELM_CONFIG_HOME=$TMP/helm
            HELM_DATA_HOME=$TMP/helm/.data
        "}
    );
    // kubectl-verified: `y` in the kustomization is YAML 1.1's `true`;
    // `empty:` disappears, `null` stays; lists are replaced.
    assert_eq!(
        f.values(1),
        indoc! {r#"
            added: 1.5
            foo: bar
            list:
            - c
            nested:
              deep:
                k: v
                z: w
              "true": three
              x: 1
              "y": two
            nullv: null
            num: 511
            s: "on"
            yes_: "yes"
        "#}
    );
}

#[test]
fn values_merge_modes() {
    let chart_values = indoc! {r#"
        foo: baz
        list: [a, b]
        nested: {x: 1, y: "two", deep: {k: v}}
        empty:
        nullv: null
    "#};
    let inline = indoc! {"
        foo: bar
        list: [c]
        nested: {y: three, deep: {z: w}}
        added: 1.50
    "};
    // kubectl-verified values files.
    let cases = [
        (
            "merge",
            indoc! {r#"
                added: 1.5
                foo: baz
                list:
                - a
                - b
                nested:
                  deep:
                    k: v
                    z: w
                  "true": three
                  x: 1
                  "y": two
            "#},
        ),
        (
            "replace",
            indoc! {r#"
                added: 1.5
                foo: bar
                list:
                - c
                nested:
                  deep:
                    z: w
                  "true": three
            "#},
        ),
    ];
    for (mode, want) in cases {
        let f = Fixture::new("v3.14.2", 0);
        f.write("charts/mychart/values.yaml", chart_values);
        let k = format!(
            "helmCharts:\n- name: mychart\n  valuesMerge: {mode}\n  valuesInline:\n{}",
            inline
                .lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        );
        let gens = f.generators(&k, &f.opts()).unwrap();
        gens[0].generate(&f.loader()).unwrap();
        assert_eq!(f.values(1), want, "valuesMerge: {mode}");
        assert_eq!(f.args(1)[1], "--generate-name", "no release name");
    }
}

#[test]
fn inline_numbers_become_floats_and_a_quoted_file_value_does_not_stick() {
    let f = Fixture::new("v3.14.2", 0);
    f.write(
        "charts/mychart/values.yaml",
        "port: \"80\"\nother: 1\nlst: [1, 2]\n",
    );
    let gens = f
        .generators(
            indoc! {"
                helmCharts:
                - name: mychart
                  valuesInline:
                    port: 8080
                    other: \"x\"
                    lst: [3]
                    big: 12345678901234567890
                    f: 1e3
                    t: 2020-01-01
            "},
            &f.opts(),
        )
        .unwrap();
    gens[0].generate(&f.loader()).unwrap();
    // kubectl-verified.
    assert_eq!(
        f.values(1),
        indoc! {r#"
            big: 12345678901234567000
            f: 1000
            lst:
            - 3
            other: x
            port: 8080
            t: "2020-01-01"
        "#}
    );
}

#[test]
fn without_inline_values_the_values_file_is_copied_as_is() {
    let f = Fixture::new("v3.14.2", 0);
    f.write("charts/mychart/values.yaml", "# keep me\na: 0\n");
    let gens = f
        .generators(
            "helmCharts:\n- name: mychart\n  valuesInline: {}\n",
            &f.opts(),
        )
        .unwrap();
    gens[0].generate(&f.loader()).unwrap();
    assert_eq!(f.values(1), "# keep me\na: 0\n");
}

#[test]
fn every_flag_in_kustomizes_order_from_a_plugin_config() {
    let f = Fixture::new("v3.14.2", 0);
    f.write("charts/mychart/values.yaml", "a: 0\n");
    f.write("extra.yaml", "b: 1\n");
    let config = rustomize_yaml::parse_one(indoc! {r#"
        apiVersion: builtin
        kind: HelmChartInflationGenerator
        metadata:
          name: whatever
        name: mychart
        releaseName: r
        chartHome: charts
        includeCRDs: true
        skipTests: true
        skipHooks: true
        apiVersions: [v1, apps/v1]
        kubeVersion: 1.29
        nameTemplate: "x-{{.Release}}"
        namespace: n
        additionalValuesFiles: [extra.yaml]
        valuesFile: charts/mychart/values.yaml
        debug: true
        unknownField: 3
    "#})
    .unwrap();
    let opts = PluginOptions {
        helm_kube_version: "1.30".into(),
        helm_api_versions: vec!["a/v1".into(), "b/v2".into()],
        ..f.opts()
    };
    let g = HelmChartInflationGenerator::from_config(&config, &f.loader(), &opts).unwrap();
    g.generate(&f.loader()).unwrap();
    // kubectl-verified: the chart's own apiVersions and kubeVersion win over
    // --helm-api-versions and --helm-kube-version.
    assert_eq!(
        f.args(1),
        [
            "template",
            "r",
            "$ROOT/charts/mychart",
            "--namespace",
            "n",
            "--name-template",
            "x-{{.Release}}",
            "-f",
            "$TMP/mychart-kustomize-values.yaml",
            "-f",
            "$ROOT/extra.yaml",
            "--api-versions",
            "v1",
            "--api-versions",
            "apps/v1",
            "--kube-version",
            "1.29",
            "--include-crds",
            "--skip-tests",
            "--no-hooks",
            "--debug",
        ]
    );
    assert_eq!(f.values(1), "a: 0\n");
}

#[test]
fn command_line_helm_settings_fill_in_what_the_chart_leaves_unset() {
    let f = Fixture::new("v3.14.2", 0);
    f.write("charts/mychart/values.yaml", "a: 0\n");
    let opts = PluginOptions {
        helm_kube_version: "1.30".into(),
        helm_api_versions: vec!["a/v1".into()],
        helm_debug: true,
        ..f.opts()
    };
    let gens = f
        .generators("helmCharts:\n- name: mychart\n  releaseName: r\n", &opts)
        .unwrap();
    gens[0].generate(&f.loader()).unwrap();
    assert_eq!(
        f.args(1)[5..],
        [
            "--api-versions",
            "a/v1",
            "--kube-version",
            "1.30",
            "--debug"
        ]
    );
}

#[test]
fn pulls_missing_charts_as_kustomize_does() {
    let f = Fixture::new("v3.14.2", 0);
    let k = indoc! {"
        helmGlobals:
          chartHome: mycharts
          configHome: /cfg
        helmCharts:
        - name: c1
          repo: https://example.com/charts
          version: 1.2.3
        - name: c2
          repo: oci://registry.example.com/charts/
    "};
    let gens = f.generators(k, &f.opts()).unwrap();
    // The stand-in's pull makes the chart directory; its values file is
    // then missing, which ends the first inflation after the pull.
    let err = gens[0]
        .generate(&f.loader())
        .unwrap_err()
        .report()
        .to_string();
    assert!(err.contains("mycharts/c1-1.2.3/c1/values.yaml"), "{err}");
    // kubectl-verified.
    assert_eq!(
        f.args(1),
        [
            "pull",
            "--untar",
            "--untardir",
            "$ROOT/mycharts/c1-1.2.3",
            "--repo",
            "https://example.com/charts",
            "c1",
            "--version",
            "1.2.3",
        ]
    );
    assert_eq!(
        f.env(1),
        "HELM_CACHE_HOME=/cfg/.cache\nHELM_CONFIG_HOME=/cfg\nHELM_DATA_HOME=/cfg/.data\n"
    );
    let _ = gens[1].generate(&f.loader());
    assert_eq!(
        f.args(3),
        [
            "pull",
            "--untar",
            "--untardir",
            "$ROOT/mycharts",
            "oci://registry.example.com/charts/c2",
        ]
    );
}

#[test]
fn a_missing_chart_without_a_repo_is_an_error() {
    let f = Fixture::new("v3.14.2", 0);
    let gens = f
        .generators("helmCharts:\n- name: nothere\n", &f.opts())
        .unwrap();
    let err = gens[0]
        .generate(&f.loader())
        .unwrap_err()
        .report()
        .to_string();
    assert!(
        err.starts_with("no repo specified for pull, no chart found at '")
            && err.ends_with("/charts/nothere'"),
        "{err}"
    );
    assert_eq!(f.call_count(), 1, "only the version check ran");
}

#[test]
fn configuration_errors() {
    let f = Fixture::new("v3.14.2", 0);
    let k = indoc! {"
        helmCharts:
        - name: mychart
          releaseName: rel
          namespace: ns1
          valuesInline:
            foo: bar
    "};
    // kubectl-verified text, with a note on the flag.
    let err = f
        .generators(k, &PluginOptions::default())
        .unwrap_err()
        .report()
        .to_string();
    assert!(
        err.starts_with(indoc! {"
            trouble configuring builtin HelmChartInflationGenerator with config: `
            name: mychart
            namespace: ns1
            releaseName: rel
            valuesInline:
              foo: bar
            `: must specify --enable-helm"}),
        "{err}"
    );
    // --enable-alpha-plugins turns helm on, as in kustomize.
    let alpha = PluginOptions {
        enable_alpha_plugins: true,
        helm_command: f.helm.to_string_lossy().into_owned(),
        ..PluginOptions::default()
    };
    assert!(f.generators(k, &alpha).is_ok());
    let no_command = PluginOptions {
        helm_command: String::new(),
        ..f.opts()
    };
    assert!(
        f.generators(k, &no_command)
            .unwrap_err()
            .report()
            .to_string()
            .ends_with(": must specify --helm-command")
    );
    for (k, want) in [
        (
            "helmCharts:\n- releaseName: x\n",
            "chart name cannot be empty",
        ),
        (
            "helmCharts:\n- name: mychart\n  valuesMerge: mix\n",
            "valuesMerge must be one of [merge override replace]",
        ),
        (
            "helmCharts:\n- name: mychart\n  additionalValuesFiles: [nope.yaml]\n",
            "could not load additionalValuesFile: '",
        ),
    ] {
        let err = f.generators(k, &f.opts()).unwrap_err().report().to_string();
        assert!(err.contains(want), "{k}: {err}");
    }
}

#[test]
fn a_helm_that_cannot_be_run_is_named() {
    let f = Fixture::new("v3.14.2", 0);
    f.write("charts/mychart/values.yaml", "a: 0\n");
    for (command, cause) in [
        (
            "no-such-helm-program",
            "exec: \"no-such-helm-program\": executable file not found in $PATH",
        ),
        (
            "/nonexist/helm",
            "fork/exec /nonexist/helm: no such file or directory",
        ),
    ] {
        let opts = PluginOptions {
            helm_command: command.into(),
            ..f.opts()
        };
        let gens = f
            .generators("helmCharts:\n- name: mychart\n", &opts)
            .unwrap();
        let err = gens[0]
            .generate(&f.loader())
            .unwrap_err()
            .report()
            .to_string();
        // kubectl's text, tmp paths aside.
        assert!(
            err.starts_with(&format!(
                "unable to run: '{command} version -c --short' with env=[HELM_CONFIG_HOME="
            )),
            "{err}"
        );
        assert!(
            err.ends_with(&format!("(is '{command}' installed?): {cause}")),
            "{err}"
        );
    }
}

#[test]
fn helm_failures_and_wrong_versions() {
    let f = Fixture::new("v3.14.2", 1);
    f.write("charts/mychart/values.yaml", "a: 0\n");
    let gens = f
        .generators(
            "helmCharts:\n- name: mychart\n  releaseName: r\n",
            &f.opts(),
        )
        .unwrap();
    let err = gens[0]
        .generate(&f.loader())
        .unwrap_err()
        .report()
        .to_string();
    assert!(err.contains("] (is '"), "{err}");
    assert!(
        err.contains("installed?): exit status 1\nhelm's stderr:\ntemplate failed: bad values"),
        "{err}"
    );

    for (version, want) in [
        ("v2.16.1", "this plugin requires helm V3 but got v2.16.1"),
        (
            "Client: unknown",
            "cannot find version string in Client: unknown",
        ),
    ] {
        let f = Fixture::new(version, 0);
        f.write("charts/mychart/values.yaml", "a: 0\n");
        let gens = f
            .generators("helmCharts:\n- name: mychart\n", &f.opts())
            .unwrap();
        let err = gens[0]
            .generate(&f.loader())
            .unwrap_err()
            .report()
            .to_string();
        assert!(err.starts_with(want), "{err}");
    }
}

#[test]
fn values_file_errors() {
    let cases = [
        ("", "could not parse values file into rnode: EOF"),
        (
            "# only a comment\n",
            "could not parse values file into rnode: EOF",
        ),
        (
            "- 1\n",
            "could not merge values: wrong node kind: expected SequenceNode but got MappingNode: node contents:\na: 1\n",
        ),
    ];
    for (values, want) in cases {
        let f = Fixture::new("v3.14.2", 0);
        f.write("charts/mychart/values.yaml", values);
        let gens = f
            .generators(
                "helmCharts:\n- name: mychart\n  valuesInline: {a: 1}\n",
                &f.opts(),
            )
            .unwrap();
        let err = gens[0]
            .generate(&f.loader())
            .unwrap_err()
            .report()
            .to_string();
        assert_eq!(err, want, "values file {values:?}");
    }
}

#[test]
fn the_deprecated_field_becomes_charts_and_globals() {
    let (k, warnings) = kustomization::parse(
        indoc! {"
            helmChartInflationGenerator:
            - chartName: minecraft
              chartVersion: 3.1.3
              chartRepoUrl: https://example.com/charts
              releaseName: mc
              values: my-values.yaml
              valuesLocal: {y: 1}
              chartHome: home1
              helmHome: /h
              extraArgs: [--x]
        "},
        "kustomization.yaml",
    )
    .unwrap();
    assert!(warnings.is_empty());
    assert!(k.helm_chart_inflation_generator.is_empty());
    let g = k.helm_globals.unwrap();
    assert_eq!(
        (g.chart_home.as_str(), g.config_home.as_str()),
        ("home1", "/h")
    );
    let c = &k.helm_charts[0];
    assert_eq!(
        (
            c.name.as_str(),
            c.version.as_str(),
            c.repo.as_str(),
            c.release_name.as_str(),
            c.values_file.as_str()
        ),
        (
            "minecraft",
            "3.1.3",
            "https://example.com/charts",
            "mc",
            "my-values.yaml"
        )
    );
    let inline = rustomize_yaml::emit::to_string(c.values_inline.as_ref().unwrap()).unwrap();
    assert_eq!(inline, "\"true\": 1\n");
}

#[test]
fn inline_values_must_be_a_mapping() {
    let err = kustomization::parse(
        "helmCharts:\n- name: x\n  valuesInline: [1]\n",
        "kustomization.yaml",
    )
    .unwrap_err()
    .report()
    .to_string();
    assert_eq!(
        err,
        "kustomization.yaml: invalid Kustomization: helmCharts[0].valuesInline: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
}
