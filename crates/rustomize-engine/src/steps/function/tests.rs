//! KRM functions run as small shell scripts. What kustomize does with a
//! function's input and output was checked with `kubectl kustomize
//! --enable-alpha-plugins` running the same scripts as container functions
//! through a stand-in `docker` (kubectl cannot run exec functions, but both
//! kinds go through the same ResourceList handling).

#![cfg(unix)]

use super::*;
use crate::model::resid::ResId;
use crate::model::resource::BuildMeta;
use indoc::indoc;
use rustomize_loader::{DiskFs, LoadRestrictor};
use rustomize_yaml::parse_one;
use std::fs;
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

/// A kustomization directory holding function scripts.
struct Dir {
    tmp: TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> PathBuf {
        fs::canonicalize(self.tmp.path()).unwrap()
    }

    /// Writes an executable script.
    fn script(&self, name: &str, body: &str) {
        let p = self.tmp.path().join(name);
        fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.tmp.path().join(name)).unwrap()
    }

    fn loader(&self) -> Loader {
        Loader::new(Arc::new(DiskFs), self.tmp.path(), LoadRestrictor::RootOnly).unwrap()
    }

    fn function(&self, config: &str) -> Result<ExecFunction, Error> {
        ExecFunction::from_config(&parse_one(config).unwrap(), &self.loader(), &enabled())
    }
}

fn enabled() -> PluginOptions {
    PluginOptions {
        enable_alpha_plugins: true,
        enable_exec: true,
        function_timeout: Some(Duration::from_secs(20)),
        ..PluginOptions::default()
    }
}

fn config(path: &str) -> String {
    format!(
        indoc! {"
            apiVersion: example.com/v1
            kind: MyFn
            metadata:
              name: fn1
              annotations:
                config.kubernetes.io/function: |
                  exec:
                    path: {}
            spec:
              value: 3
        "},
        path
    )
}

fn resmap(yaml: &str) -> ResMap {
    rustomize_yaml::parse_documents(yaml)
        .unwrap()
        .into_iter()
        .map(Resource::new)
        .collect()
}

fn names(rm: &ResMap) -> Vec<String> {
    rm.resources()
        .iter()
        .map(|r| r.name().to_string())
        .collect()
}

fn yaml(r: &Resource) -> String {
    rustomize_yaml::emit::to_string(&r.node).unwrap()
}

#[test]
fn which_configs_are_functions() {
    let cases = [
        (
            "apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: 'exec: {path: ./f}'\n",
            true,
        ),
        (
            "apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n  annotations:\n    config.k8s.io/function: 'exec: {path: ./f}'\n",
            true,
        ),
        (
            "apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n  configFn: {exec: {path: ./f}}\n",
            true,
        ),
        (
            "apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/container: img\n",
            true,
        ),
        (
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: 'exec: {path: ./f}'\n",
            false,
        ),
        ("apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n", false),
        (
            "apiVersion: x/v1\nkind: F\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: ''\n",
            false,
        ),
    ];
    for (config, want) in cases {
        assert_eq!(
            is_function_config(&parse_one(config).unwrap()),
            want,
            "{config}"
        );
    }
}

#[test]
fn function_specs_are_read_strictly() {
    let spec = |annotation: &str| {
        function_spec(
            &parse_one(&format!(
                "kind: F\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: |\n{}",
                annotation
                    .lines()
                    .map(|l| format!("      {l}\n"))
                    .collect::<String>()
            ))
            .unwrap(),
        )
    };
    assert_eq!(
        spec("exec:\n  path: ./fn.sh\n").unwrap().unwrap().exec.path,
        "./fn.sh"
    );
    let c = spec("container:\n  image: x:v1\n  network: true\n  mounts:\n  - {type: bind, src: ./a, dst: /a}\n  envs: [A=b]\n")
        .unwrap()
        .unwrap();
    assert_eq!(c.container.image, "x:v1");
    assert_eq!(c.container.mounts[0].mount_type, "bind");
    let starlark = spec("starlark:\n  path: f.star\n")
        .unwrap_err()
        .report()
        .to_string();
    assert!(
        starlark.starts_with("config.kubernetes.io/function unmarshal error: ")
            && starlark.contains("starlark")
            && starlark.ends_with("(Starlark functions are not supported: kustomize v5 removed them; use an exec function)"),
        "{starlark}"
    );
    let bad = spec("not: [valid\n").unwrap_err().report().to_string();
    assert!(
        bad.starts_with("config.kubernetes.io/function unmarshal error: error converting YAML to JSON: yaml: line "),
        "{bad}"
    );
}

#[test]
fn configuration_errors_name_the_flag() {
    let d = Dir::new();
    let cfg = parse_one(&config("./fn.sh")).unwrap();
    // kubectl-verified first sentence.
    let err = ExecFunction::from_config(&cfg, &d.loader(), &PluginOptions::default())
        .unwrap_err()
        .report()
        .to_string();
    assert_eq!(
        err,
        "external plugins disabled; unable to load external plugin 'MyFn' (KRM functions run only with --enable-alpha-plugins)"
    );
    let container = d
        .function(indoc! {"
            apiVersion: example.com/v1
            kind: MyFn
            metadata:
              name: fn1
              annotations:
                config.kubernetes.io/function: |
                  container:
                    image: example/fn:v1
        "})
        .unwrap_err()
        .report()
        .to_string();
    assert!(
        container.starts_with(
            "function 'api: example.com/v1, kind: MyFn, name: fn1' is a container function (image 'example/fn:v1'): rustomize uses no container runtime, so --enable-alpha-plugins does not run container functions"
        ),
        "{container}"
    );
    let starlark = d
        .function(indoc! {"
            apiVersion: example.com/v1
            kind: MyFn
            metadata:
              name: fn-star
              annotations:
                config.kubernetes.io/function: |
                  starlark:
                    path: script.star
        "})
        .unwrap_err()
        .report()
        .to_string();
    // kubectl: "loader: failed to get FunctionSpec: config.kubernetes.io/function
    // unmarshal error: error unmarshaling JSON: while decoding JSON: json:
    // unknown field \"starlark\"".
    assert!(
        starlark.starts_with(
            "loader: failed to get FunctionSpec: config.kubernetes.io/function unmarshal error: "
        ),
        "{starlark}"
    );
    let none = d
        .function("apiVersion: example.com/v1\nkind: MyFn\nmetadata:\n  name: fn1\n")
        .unwrap_err()
        .report()
        .to_string();
    assert!(
        none.contains("has no config.kubernetes.io/function annotation"),
        "{none}"
    );
}

#[test]
fn without_enable_exec_the_function_is_skipped_as_kustomize_skips_it() {
    let d = Dir::new();
    d.script("fn.sh", "echo ran > ran.txt\ncat\n");
    let opts = PluginOptions {
        enable_exec: false,
        ..enabled()
    };
    let f = ExecFunction::from_config(&parse_one(&config("./fn.sh")).unwrap(), &d.loader(), &opts)
        .unwrap();
    assert_eq!(
        f.skipped(),
        Some(
            "function 'api: example.com/v1, kind: MyFn, name: fn1' (exec: ./fn.sh) was skipped: exec functions run only with --enable-exec"
        )
    );
    let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    f.transform(&mut rm).unwrap();
    assert_eq!(names(&rm), ["a"]);
    assert!(!d.tmp.path().join("ran.txt").exists());
    // As a generator, kustomize's pipeline hands back its input: the
    // config itself, marked local (dropped before printing).
    let made = f.generate(&d.loader()).unwrap();
    assert_eq!(made.len(), 1);
    assert!(made[0].is_local_config());
}

#[test]
fn the_input_resource_list_carries_kustomizes_annotations() {
    let d = Dir::new();
    d.script("fn.sh", "tee input.yaml\n");
    let f = d.function(&config("./fn.sh")).unwrap();
    let mut rm = resmap(indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: p-a
          annotations:
            x: '1'
        data:
          k: v
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: p-d
    "});
    rm.get_mut(0).meta = BuildMeta {
        previous: vec![("default".into(), "a".into(), "ConfigMap".into())],
        prefixes: vec!["p-".into()],
        ..BuildMeta::default()
    };
    f.transform(&mut rm).unwrap();
    // What kubectl sent the same function, in kustomize's own words (its
    // annotation order and quoting aside).
    assert_eq!(
        d.read("input.yaml"),
        indoc! {r#"
            apiVersion: config.kubernetes.io/v1
            kind: ResourceList
            items:
            - apiVersion: v1
              data:
                k: v
              kind: ConfigMap
              metadata:
                annotations:
                  config.k8s.io/id: "1"
                  config.kubernetes.io/index: "0"
                  internal.config.kubernetes.io/annotations-migration-resource-id: "0"
                  internal.config.kubernetes.io/id: "1"
                  internal.config.kubernetes.io/index: "0"
                  internal.config.kubernetes.io/prefixes: p-
                  internal.config.kubernetes.io/previousKinds: ConfigMap
                  internal.config.kubernetes.io/previousNames: a
                  internal.config.kubernetes.io/previousNamespaces: default
                  kustomize.config.k8s.io/id: |
                    kind: ConfigMap
                    name: p-a
                    version: v1
                  x: "1"
                name: p-a
            - apiVersion: apps/v1
              kind: Deployment
              metadata:
                annotations:
                  config.k8s.io/id: "2"
                  config.kubernetes.io/index: "1"
                  internal.config.kubernetes.io/annotations-migration-resource-id: "1"
                  internal.config.kubernetes.io/id: "2"
                  internal.config.kubernetes.io/index: "1"
                  kustomize.config.k8s.io/id: |
                    group: apps
                    kind: Deployment
                    name: p-d
                    version: v1
                name: p-d
            functionConfig:
              apiVersion: example.com/v1
              kind: MyFn
              metadata:
                annotations:
                  config.kubernetes.io/function: |
                    exec:
                      path: ./fn.sh
                  config.kubernetes.io/local-config: "true"
                name: fn1
              spec:
                value: 3
        "#}
    );
    // Echoed back, nothing changes: the annotations go, the bookkeeping
    // returns to BuildMeta.
    assert_eq!(names(&rm), ["p-a", "p-d"]);
    assert_eq!(
        yaml(rm.get(0)),
        "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  annotations:\n    x: \"1\"\n  name: p-a\n"
    );
    assert_eq!(
        yaml(rm.get(1)),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: p-d\n"
    );
    assert_eq!(rm.get(0).meta.prefixes, ["p-"]);
    assert_eq!(rm.get(0).meta.previous.len(), 1);
}

#[test]
fn returned_objects_replace_in_place_new_ones_are_appended_missing_ones_removed() {
    let d = Dir::new();
    // What a function that renames a-rename, drops b-drop, touches c-keep
    // and makes brand-new (first) returns, bookkeeping included.
    d.script(
        "fn.sh",
        indoc! {r#"
            cat > /dev/null
            echo "mutate ran" >&2
            cat <<'EOF'
            apiVersion: config.kubernetes.io/v1
            kind: ResourceList
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: brand-new
                annotations:
                  kustomize.config.k8s.io/needs-hash: "true"
              data: {x: "1"}
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: p-a-rename-renamed
                annotations:
                  internal.config.kubernetes.io/previousNames: a-rename
                  internal.config.kubernetes.io/previousNamespaces: default
                  internal.config.kubernetes.io/previousKinds: ConfigMap
                  internal.config.kubernetes.io/prefixes: p-
                  config.kubernetes.io/index: '0'
                  config.k8s.io/id: '1'
                  internal.config.kubernetes.io/id: '1'
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: p-c-keep
                annotations:
                  kustomize.config.k8s.io/id: |
                    kind: ConfigMap
                    name: p-c-keep
                    version: v1
              data: {touched: "yes"}
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: p-gen-xyz
                annotations:
                  internal.config.kubernetes.io/needsHashSuffix: enabled
                  internal.config.kubernetes.io/generatorBehavior: unspecified
            EOF
        "#},
    );
    let f = d.function(&config("./fn.sh")).unwrap();
    let mut rm = resmap(indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: p-a-rename}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: p-b-drop}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: p-c-keep}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: p-gen-xyz}
    "});
    rm.get_mut(2).meta.ref_var_names = vec!["VAR".into()];
    f.transform(&mut rm).unwrap();
    // kubectl-verified order (sortOptions: fifo).
    assert_eq!(
        names(&rm),
        ["p-c-keep", "p-gen-xyz", "brand-new", "p-a-rename-renamed"]
    );
    let keep = rm.get(0);
    assert_eq!(
        yaml(keep),
        "apiVersion: v1\ndata:\n  touched: \"yes\"\nkind: ConfigMap\nmetadata:\n  name: p-c-keep\n"
    );
    assert_eq!(
        keep.meta.ref_var_names,
        ["VAR"],
        "kept from the object replaced"
    );
    let generated = rm.get(1);
    assert!(generated.meta.needs_hash);
    assert_eq!(generated.meta.behavior, Some(Behavior::Create));
    // A transformer's output keeps needs-hash as a plain annotation
    // (kubectl prints it).
    assert_eq!(rm.get(2).annotation(NEEDS_HASH_ANNOTATION), Some("true"));
    assert!(!rm.get(2).meta.needs_hash);
    let renamed = rm.get(3);
    assert_eq!(
        renamed.prev_ids()[0],
        ResId::new(Gvk::new("", "v1", "ConfigMap"), "a-rename", "default")
    );
    assert_eq!(renamed.meta.prefixes, ["p-"]);
    assert_eq!(
        yaml(renamed),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p-a-rename-renamed\n"
    );
}

#[test]
fn an_empty_output_removes_every_resource() {
    // kubectl-verified: a function that prints nothing leaves nothing.
    let d = Dir::new();
    d.script("fn.sh", "cat > /dev/null\n");
    let f = d.function(&config("./fn.sh")).unwrap();
    let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    f.transform(&mut rm).unwrap();
    assert!(rm.is_empty());
}

#[test]
fn a_stream_of_objects_is_accepted_as_output() {
    // kubectl-verified: plain documents instead of a ResourceList.
    let d = Dir::new();
    d.script(
        "fn.sh",
        "cat >/dev/null\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: plain1\\n---\\napiVersion: v1\\nkind: ConfigMapList\\nitems:\\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: plain2}}\\n'\n",
    );
    let f = d.function(&config("./fn.sh")).unwrap();
    let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    f.transform(&mut rm).unwrap();
    assert_eq!(names(&rm), ["plain1", "plain2"]);
}

#[test]
fn failures_name_the_function_and_print_nothing() {
    let d = Dir::new();
    d.script(
        "fail.sh",
        "cat >/dev/null\necho 'oops on stderr' >&2\necho 'partial stdout'\nexit 3\n",
    );
    d.script(
        "garbage.sh",
        "cat >/dev/null\necho 'this: is: not: yaml: ['\n",
    );
    d.script("scalar.sh", "cat >/dev/null\necho 'partial stdout'\n");
    d.script("hang.sh", "cat >/dev/null\necho 'working' >&2\nsleep 30\n");
    d.script(
        "results.sh",
        "cat >/dev/null\nprintf 'kind: ResourceList\\nitems: []\\nresults:\\n- {message: replicas must be set, severity: error}\\n'\nexit 1\n",
    );
    d.script("dup.sh", "cat >/dev/null\nprintf 'kind: A\\nmetadata: {name: x}\\n---\\nkind: A\\nmetadata: {name: x}\\n'\n");
    d.script(
        "noname.sh",
        "cat >/dev/null\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {}\\n'\n",
    );
    fs::write(d.tmp.path().join("notexec.sh"), "#!/bin/sh\ncat\n").unwrap();
    let name = "couldn't execute function 'api: example.com/v1, kind: MyFn, name: fn1'";
    let cases = [
        (
            "./fail.sh",
            format!("{name} (exec: ./fail.sh): exit status 3; its stderr:\noops on stderr"),
        ),
        (
            "./garbage.sh",
            format!("{name} (exec: ./garbage.sh): its output is not valid YAML: line 1, column "),
        ),
        (
            "./scalar.sh",
            format!("{name} (exec: ./scalar.sh): object 1 of its output is a "),
        ),
        (
            "./hang.sh",
            format!("{name} (exec: ./hang.sh): it ran longer than the limit of 300ms and was killed; its stderr:\nworking"),
        ),
        (
            "./results.sh",
            format!("{name} (exec: ./results.sh): exit status 1\n  [error] replicas must be set"),
        ),
        (
            "./dup.sh",
            "plugin api: example.com/v1, kind: MyFn, name: fn1 generated duplicate resource: {\"kind\":\"A\",\"name\":\"x\"}".to_string(),
        ),
        (
            "./noname.sh",
            format!("{name} (exec: ./noname.sh): object 1 of its output (kind ConfigMap) has no metadata.name"),
        ),
        (
            "./missing.sh",
            format!("{name} (exec: ./missing.sh): program './missing.sh' not found (looked for '"),
        ),
        (
            "no-such-function-program",
            format!("{name} (exec: no-such-function-program): program 'no-such-function-program' not found in PATH"),
        ),
        (
            "./notexec.sh",
            format!("{name} (exec: ./notexec.sh): './notexec.sh': permission denied (is it executable?)"),
        ),
    ];
    let opts = PluginOptions {
        function_timeout: Some(Duration::from_millis(300)),
        ..enabled()
    };
    for (path, want) in cases {
        let f = ExecFunction::from_config(&parse_one(&config(path)).unwrap(), &d.loader(), &opts)
            .unwrap();
        let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        let err = f.transform(&mut rm).unwrap_err().report().to_string();
        assert!(err.starts_with(&want), "{path}:\n{err}\nwanted:\n{want}");
        if !path.starts_with("./dup") {
            assert_eq!(names(&rm), ["a"], "{path}: resources left as they were");
        }
    }
}

#[test]
fn generators_get_their_config_and_mark_hashes_and_behaviors() {
    let d = Dir::new();
    d.script(
        "gen.sh",
        indoc! {r#"
            tee input.yaml >/dev/null
            cat <<'EOF'
            apiVersion: config.kubernetes.io/v1
            kind: ResourceList
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata:
                name: generated
                annotations:
                  kustomize.config.k8s.io/needs-hash: "true"
              data:
                z: "1"
            - apiVersion: v1
              kind: Secret
              metadata:
                name: sec
                annotations:
                  kustomize.config.k8s.io/behavior: merge
            EOF
        "#},
    );
    let f = d
        .function(indoc! {"
            kind: MyGen
            apiVersion: example.com/v1
            metadata:
              name: gen1
              annotations:
                config.kubernetes.io/function: |
                  exec:
                    path: ./gen.sh
            spec:
              b: 1
              a: 2
        "})
        .unwrap();
    let made = f.generate(&d.loader()).unwrap();
    // kubectl-verified input.
    assert_eq!(
        d.read("input.yaml"),
        indoc! {r#"
            apiVersion: config.kubernetes.io/v1
            kind: ResourceList
            items:
            - apiVersion: example.com/v1
              kind: MyGen
              metadata:
                annotations:
                  config.k8s.io/id: "1"
                  config.kubernetes.io/function: |
                    exec:
                      path: ./gen.sh
                  config.kubernetes.io/index: "0"
                  config.kubernetes.io/local-config: "true"
                  internal.config.kubernetes.io/annotations-migration-resource-id: "0"
                  internal.config.kubernetes.io/id: "1"
                  internal.config.kubernetes.io/index: "0"
                name: gen1
              spec:
                a: 2
                b: 1
            functionConfig:
              apiVersion: example.com/v1
              kind: MyGen
              metadata:
                annotations:
                  config.kubernetes.io/function: |
                    exec:
                      path: ./gen.sh
                  config.kubernetes.io/local-config: "true"
                name: gen1
              spec:
                a: 2
                b: 1
        "#}
    );
    assert_eq!(made.len(), 2);
    assert!(made[0].meta.needs_hash);
    assert_eq!(made[0].meta.behavior, Some(Behavior::Create));
    assert_eq!(
        yaml(&made[0]),
        "apiVersion: v1\ndata:\n  z: \"1\"\nkind: ConfigMap\nmetadata:\n  name: generated\n"
    );
    assert!(!made[1].meta.needs_hash);
    assert_eq!(made[1].meta.behavior, Some(Behavior::Merge));

    d.script(
        "badhash.sh",
        "cat >/dev/null\nprintf 'kind: ConfigMap\\nmetadata:\\n  name: x\\n  annotations:\\n    kustomize.config.k8s.io/needs-hash: maybe\\n'\n",
    );
    let f = d.function(&config("./badhash.sh")).unwrap();
    let err = f.generate(&d.loader()).unwrap_err().report().to_string();
    assert!(
        err.ends_with("the annotation \"kustomize.config.k8s.io/needs-hash\" contains an invalid value (\"maybe\")"),
        "{err}"
    );
}

#[test]
fn an_echoing_generator_returns_its_own_local_config() {
    // `cat` found in PATH: most SDK functions pass their input through.
    let d = Dir::new();
    let f = d.function(&config("cat")).unwrap();
    let made = f.generate(&d.loader()).unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind(), "MyFn");
    assert!(made[0].is_local_config());
    assert_eq!(made[0].annotation("config.kubernetes.io/index"), None);
}

#[test]
fn the_program_runs_in_the_kustomization_directory() {
    let d = Dir::new();
    d.script("fn.sh", "pwd > cwd.txt\ncat\n");
    let f = d.function(&config("./fn.sh")).unwrap();
    let mut rm = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
    let before = std::env::current_dir().unwrap();
    f.transform(&mut rm).unwrap();
    assert_eq!(Path::new(d.read("cwd.txt").trim()), d.root());
    assert_eq!(std::env::current_dir().unwrap(), before);
}

#[test]
fn a_path_annotation_on_the_config_scopes_the_function() {
    let d = Dir::new();
    d.script(
        "fn.sh",
        "tee input.yaml | sed 's/^\\(    \\)name: \\(.*\\)/\\1name: \\2-seen/'\n",
    );
    let mut cfg = parse_one(&config("./fn.sh")).unwrap();
    if let Some(a) = resource_list::annotations_mut(&mut cfg) {
        resource_list::set(a, "config.kubernetes.io/path", "apps/functions/fn.yaml");
    }
    let f = ExecFunction::from_config(&cfg, &d.loader(), &enabled()).unwrap();
    let mut rm = resmap(indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: inside
          annotations: {config.kubernetes.io/path: apps/web/cm.yaml}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: outside
          annotations: {config.kubernetes.io/path: other/cm.yaml}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: unknown
    "});
    f.transform(&mut rm).unwrap();
    assert!(d.read("input.yaml").contains("name: inside"));
    assert!(!d.read("input.yaml").contains("name: outside"));
    assert_eq!(names(&rm), ["outside", "unknown", "inside-seen"]);
    assert_eq!(go_path_clean("a//b/./c/.."), "a/b");
    assert_eq!(go_path_dir("cm.yaml"), ".");
    assert_eq!(scope_dir("x/functions/f.yaml"), "x");
}

#[test]
fn validators_may_only_add_the_validated_by_label() {
    let d = Dir::new();
    d.script("echo.sh", "cat\n");
    d.script(
        "label.sh",
        "sed 's/^  metadata:$/  metadata:\\n    labels:\\n      validated-by: me/'\n",
    );
    d.script("change.sh", "sed 's/k: v/k: w/'\n");
    d.script(
        "reject.sh",
        "cat >/dev/null\necho 'data.k must not be v' >&2\nexit 1\n",
    );
    let input = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";
    let run = |path: &str| {
        let f = d.function(&config(path)).unwrap();
        let mut rm = resmap(input);
        f.validate(&mut rm).map(|()| yaml(rm.get(0)))
    };
    assert_eq!(
        run("./echo.sh").unwrap(),
        rustomize_yaml::emit::to_string(&parse_one(input).unwrap()).unwrap()
    );
    assert!(run("./label.sh").unwrap().contains("validated-by: me"));
    let err = run("./change.sh").unwrap_err().report().to_string();
    assert!(
        err.starts_with("validator 'api: example.com/v1, kind: MyFn, name: fn1' shouldn't modify the resource map: nodes unequal: "),
        "{err}"
    );
    let err = run("./reject.sh").unwrap_err().report().to_string();
    assert!(
        err.ends_with("exit status 1; its stderr:\ndata.k must not be v"),
        "{err}"
    );
}
