//! Generator, absorb and hash tests. Every expected output here was printed
//! by `kubectl kustomize` (kustomize v5.5.0) for the same tree.

use super::*;
use crate::model::kustomization::{self, Kustomization};
use crate::model::resmap::ResMap;
use crate::steps::Transformer;
use crate::testing::{Tree, below_file, print};
use indoc::indoc;

/// A tree with `files` under `/app`.
fn fs(files: &[(&str, &[u8])]) -> Tree {
    let tree = Tree::empty();
    for (path, content) in files {
        tree.write(path, content);
    }
    tree
}

fn read_kustomization(tree: &Tree, dir: &str) -> Kustomization {
    let ldr = tree.loader(dir);
    let text = String::from_utf8(ldr.load("kustomization.yaml").unwrap()).unwrap();
    kustomization::parse(&text, "kustomization.yaml").unwrap().0
}

/// Runs the generators of the kustomization in `dir` the way kustomize's
/// `runGenerators` does, absorbing into `rm`.
fn run_generators(tree: &Tree, dir: &str, rm: &mut ResMap) -> Result<(), Error> {
    let k = read_kustomization(tree, dir);
    let ldr = tree.loader(dir);
    let global = k.generator_options.as_ref();
    let mut gens: Vec<Box<dyn Generator>> = Vec::new();
    for args in &k.config_map_generator {
        gens.push(Box::new(ConfigMapGenerator::from_args(args, global)));
    }
    for args in &k.secret_generator {
        gens.push(Box::new(SecretGenerator::from_args(args, global)));
    }
    let mut absorber = Absorber::new(rm);
    for g in gens {
        absorber.absorb(g.generate(&ldr)?)?;
    }
    Ok(())
}

/// Builds the kustomization in `dir` (its generators, then the hash
/// suffixes), printing in generation order: ConfigMaps, then Secrets.
fn build(tree: &Tree, dir: &str) -> Result<String, Error> {
    tree.build_fifo(dir)
}

/// The error of building `dir`, as the generator reports it (without the
/// pipeline's "<kustomization file>: " prefix).
fn err(tree: &Tree, dir: &str) -> String {
    below_file(&build(tree, dir).unwrap_err())
}

#[test]
fn literals_files_envs_and_binary() {
    let env = b"# comment\n   \nFOO=bar\nexport X=1\nQUOTED=\"q v\"\nSINGLE='s'\nNOVAL\n  LEADING=  spaced  \nEMPTY=\nEQ=a=b=c\nWIN=crlf\r\n";
    let fs = fs(&[
        ("a.txt", b"hello\nworld\n"),
        ("bin.dat", b"\xff\xfe\x00bin"),
        ("k.env", env),
        (
            "kustomization.yaml",
            indoc! {r#"
                configMapGenerator:
                - name: cm
                  literals:
                  - a=1
                  - b="quoted"
                  - c='x'
                  - d=
                  - e="mismatch'
                  files:
                  - a.txt
                  - renamed=a.txt
                  - bin.dat
                  envs:
                  - k.env
                secretGenerator:
                - name: sec
                  literals:
                  - a=1
                  files:
                  - a.txt
                  - bin.dat
            "#}
            .as_bytes(),
        ),
    ]);
    let want = indoc! {r#"
        apiVersion: v1
        binaryData:
          bin.dat: //4AYmlu
        data:
          EMPTY: ""
          EQ: a=b=c
          FOO: bar
          LEADING: '  spaced  '
          NOVAL: ""
          QUOTED: '"q v"'
          SINGLE: '''s'''
          WIN: crlf
          a: "1"
          a.txt: |
            hello
            world
          b: quoted
          c: x
          d: ""
          e: '"mismatch'''
          export X: "1"
          renamed: |
            hello
            world
        kind: ConfigMap
        metadata:
          name: cm-8ttk88gd24
        ---
        apiVersion: v1
        data:
          a: MQ==
          a.txt: aGVsbG8Kd29ybGQK
          bin.dat: //4AYmlu
        kind: Secret
        metadata:
          name: sec-b9hg4bmd8h
        type: Opaque
    "#};
    assert_eq!(build(&fs, "").unwrap(), want);
}

#[test]
fn options_types_namespaces_and_long_base64() {
    let fs = fs(&[
        ("long.txt", "x".repeat(60).as_bytes()),
        ("exact.txt", "y".repeat(52).as_bytes()),
        ("ctl.txt", "a\tb<>&\u{2028}\"\\é".as_bytes()),
        (
            "kustomization.yaml",
            indoc! {r#"
                generatorOptions:
                  labels: {g: "1", both: global}
                  annotations: {ga: x}
                configMapGenerator:
                - name: cm
                  files: [ctl.txt]
                  options:
                    labels: {both: local}
                    immutable: true
                secretGenerator:
                - name: sec
                  type: kubernetes.io/tls
                  files: [long.txt, exact.txt]
                  options:
                    disableNameSuffixHash: true
                    annotations: {"x": "yes"}
                - name: sec2
                  namespace: ns1
                  files: [long.txt]
            "#}
            .as_bytes(),
        ),
    ]);
    let out = build(&fs, "").unwrap();
    // Secrets in generation order here; kubectl sorts `sec2` before `sec`
    // (by namespace), which is the sorter's business.
    let want = indoc! {r#"
        apiVersion: v1
        data:
          ctl.txt: "a\tb<>&\L\"\\é"
        immutable: true
        kind: ConfigMap
        metadata:
          annotations:
            ga: x
          labels:
            both: local
            g: "1"
          name: cm-kf58kbf4g2
        ---
        apiVersion: v1
        data:
          exact.txt: |
            eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eQ
            ==
          long.txt: |
            eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eH
            h4eHh4eHh4
        kind: Secret
        metadata:
          annotations:
            ga: x
            x: "yes"
          labels:
            both: global
            g: "1"
          name: sec
        type: kubernetes.io/tls
        ---
        apiVersion: v1
        data:
          long.txt: |
            eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eH
            h4eHh4eHh4
        kind: Secret
        metadata:
          annotations:
            ga: x
          labels:
            both: global
            g: "1"
          name: sec2-2k46t86dhc
          namespace: ns1
        type: Opaque
    "#};
    assert_eq!(out, want);
}

#[test]
fn empty_generators() {
    let fs = fs(&[(
        "kustomization.yaml",
        b"configMapGenerator:\n- name: empty\nsecretGenerator:\n- name: sempty\n",
    )]);
    let want = indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: empty-6ct58987ht
        ---
        apiVersion: v1
        data: {}
        kind: Secret
        metadata:
          name: sempty-46f8b28mk5
        type: Opaque
    "};
    assert_eq!(build(&fs, "").unwrap(), want);
}

#[test]
fn errors_read_like_kustomize() {
    let cases: &[(&str, &str)] = &[
        (
            "configMapGenerator:\n- name: x\n  literals: [noequals, b=2]\n",
            "loading KV pairs: literal sources [noequals b=2]: invalid literal source noequals, expected key=value",
        ),
        (
            "configMapGenerator:\n- name: x\n  files: [\"=f\"]\n",
            r#"loading KV pairs: file sources: [=f]: missing key name for file path "f" in source "=f""#,
        ),
        (
            "configMapGenerator:\n- name: x\n  files: [\"a=b=f\"]\n",
            r#"loading KV pairs: file sources: [a=b=f]: source "a=b=f" key name or file path contains '='"#,
        ),
        (
            "configMapGenerator:\n- name: x\n  files: [\"k=f\", \"k=f\"]\n",
            "configmap x illegally repeats the key `k`",
        ),
        (
            "secretGenerator:\n- name: x\n  envs: [e.env]\n  literals: [A=2]\n",
            "configmap x illegally repeats the key `A`",
        ),
        (
            "configMapGenerator:\n- name: x\n  envs: [bad.env]\n",
            "loading KV pairs: env source files: [bad.env]: line [65 61 255] has invalid utf8 bytes : A=\u{fffd}",
        ),
        (
            "secretGenerator:\n- literals: [a=b]\n",
            "a configmap must have a name",
        ),
        (
            "configMapGenerator:\n- name: x\n  behavior: merge\n",
            r#"merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", Kind:"ConfigMap", isClusterScoped:false}, Name:"x", Namespace:""} does not exist; cannot merge or replace"#,
        ),
        (
            "configMapGenerator:\n- name: x\n  behavior: replace\n  namespace: foo\n",
            r#"merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", Kind:"ConfigMap", isClusterScoped:false}, Name:"x", Namespace:"foo"} does not exist; cannot merge or replace"#,
        ),
        (
            "configMapGenerator:\n- name: x\n- name: x\n",
            r#"merging from generator: id resid.ResId{Gvk:resid.Gvk{Group:"", Version:"v1", Kind:"ConfigMap", isClusterScoped:false}, Name:"x", Namespace:""} exists; behavior must be merge or replace"#,
        ),
    ];
    // Every failing row is reported, not just the first.
    let mut failures = Vec::new();
    for (kustomization, want) in cases {
        let fs = fs(&[
            ("f", b"x"),
            ("e.env", b"A=1\n"),
            ("bad.env", b"A=\xff\n"),
            ("kustomization.yaml", kustomization.as_bytes()),
        ]);
        let got = err(&fs, "");
        if got != *want {
            failures.push(format!("{kustomization}\n  want: {want}\n  got:  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // File errors name the file (the loader words them its own way).
    let fs = fs(&[(
        "kustomization.yaml",
        b"configMapGenerator:\n- name: x\n  files: [missing]\n",
    )]);
    let e = err(&fs, "");
    assert!(
        e.starts_with("loading KV pairs: file sources: [missing]: ") && e.contains("missing"),
        "{e}"
    );
}

#[test]
fn unknown_behavior_acts_as_create() {
    let fs = fs(&[(
        "kustomization.yaml",
        b"configMapGenerator:\n- name: x\n  behavior: bogus\n",
    )]);
    assert_eq!(
        build(&fs, "").unwrap(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-6ct58987ht\n"
    );
}

/// What kustomize's namespace and prefix transformers leave behind in a
/// base: each rename recorded as an earlier id.
fn rename(rm: &mut ResMap, prefix: &str, namespace: &str) {
    for r in rm.resources_mut() {
        r.store_previous_id();
        r.set_namespace(namespace);
        r.store_previous_id();
        let name = format!("{prefix}{}", r.name());
        r.set_name(name);
    }
}

#[test]
fn merge_and_replace_across_base_and_overlay() {
    let fs = fs(&[
        (
            "base/kustomization.yaml",
            indoc! {"
                namePrefix: p-
                namespace: bns
                configMapGenerator:
                - name: cm
                  literals: [a=1, b=2]
                  options:
                    labels: {l1: base, shared: base}
                    annotations: {a1: base}
                - name: cm2
                  literals: [x=1]
                secretGenerator:
                - name: s
                  literals: [a=1, b=2]
            "}
            .as_bytes(),
        ),
        (
            "overlay/kustomization.yaml",
            indoc! {"
                resources: [../base]
                configMapGenerator:
                - name: cm
                  namespace: bns
                  behavior: merge
                  literals: [b=3, c=4]
                  options:
                    labels: {l2: over, shared: over}
                - name: cm2
                  behavior: replace
                  namespace: bns
                  literals: [y=2]
                - name: plain
                  behavior: merge
                  namespace: bns
                  literals: [n=new]
                secretGenerator:
                - name: s
                  behavior: merge
                  literals: [c=3]
            "}
            .as_bytes(),
        ),
    ]);
    let plain = rustomize_yaml::parse_one(indoc! {r#"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: plain
          labels: {pl: x}
        data:
          k: 1
          z: "v"
        binaryData:
          bb: AAAA
    "#})
    .unwrap();
    let mut rm = ResMap::new();
    rm.append(Resource::new(plain)).unwrap();
    run_generators(&fs, "base", &mut rm).unwrap();
    rename(&mut rm, "p-", "bns");
    run_generators(&fs, "overlay", &mut rm).unwrap();
    HashTransformer.transform(&mut rm).unwrap();
    let want = indoc! {r#"
        apiVersion: v1
        binaryData:
          bb: AAAA
        data:
          k: "1"
          "n": new
          z: v
        kind: ConfigMap
        metadata:
          labels:
            pl: x
          name: p-plain
          namespace: bns
        ---
        apiVersion: v1
        data:
          a: "1"
          b: "3"
          c: "4"
        kind: ConfigMap
        metadata:
          annotations:
            a1: base
          labels:
            l1: base
            l2: over
            shared: over
          name: p-cm-fbcmkbc66h
          namespace: bns
        ---
        apiVersion: v1
        data:
          "y": "2"
        kind: ConfigMap
        metadata:
          name: p-cm2-786c7hbck9
          namespace: bns
        ---
        apiVersion: v1
        data:
          a: MQ==
          b: Mg==
          c: Mw==
        kind: Secret
        metadata:
          name: p-s-bhdf52m99k
          namespace: bns
        type: Opaque
    "#};
    assert_eq!(print(&rm), want);
    // The hash transformer records the pre-hash id.
    let cm = &rm.resources()[1];
    assert_eq!(cm.meta.previous.last().map(|p| p.1.as_str()), Some("p-cm"));
}

#[test]
fn merge_drops_other_fields_and_needs_both_hash_marks() {
    let fs = fs(&[
        (
            "base/kustomization.yaml",
            indoc! {"
                secretGenerator:
                - name: tls
                  type: kubernetes.io/tls
                  literals: [tls.crt=a, tls.key=b]
                  options:
                    immutable: true
                    disableNameSuffixHash: true
            "}
            .as_bytes(),
        ),
        (
            "overlay/kustomization.yaml",
            indoc! {"
                configMapGenerator:
                - name: plain
                  behavior: merge
                  literals: [new=1]
                  options:
                    labels: {pl: over}
                secretGenerator:
                - name: tls
                  behavior: merge
                  literals: [extra=c]
            "}
            .as_bytes(),
        ),
    ]);
    let plain = rustomize_yaml::parse_one(indoc! {"
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: plain
          labels: {pl: x}
          annotations: {an: y}
          ownerReferences: [{name: o}]
        immutable: true
        extra: field
        data:
          k: 1
          n: ~
          m: {a: b}
        binaryData:
          bb: AAAA
    "})
    .unwrap();
    let mut rm = ResMap::new();
    rm.append(Resource::new(plain)).unwrap();
    run_generators(&fs, "base", &mut rm).unwrap();
    run_generators(&fs, "overlay", &mut rm).unwrap();
    HashTransformer.transform(&mut rm).unwrap();
    let want = indoc! {r#"
        apiVersion: v1
        binaryData:
          bb: AAAA
        data:
          k: "1"
          m: ""
          "n": ""
          new: "1"
        kind: ConfigMap
        metadata:
          annotations:
            an: "y"
          labels:
            pl: over
          name: plain
        ---
        apiVersion: v1
        data:
          extra: Yw==
          tls.crt: YQ==
          tls.key: Yg==
        kind: Secret
        metadata:
          name: tls
        type: Opaque
    "#};
    assert_eq!(print(&rm), want);
}

#[test]
fn plugin_configs_take_name_and_namespace_from_metadata() {
    let config = rustomize_yaml::parse_one(indoc! {"
        apiVersion: builtin
        kind: SecretGenerator
        metadata:
          name: from-meta
          namespace: ns
        type: kubernetes.io/tls
        literals: [a=b]
    "})
    .unwrap();
    let g = SecretGenerator::from_config(&config).unwrap();
    assert_eq!((g.name.as_str(), g.namespace.as_str()), ("from-meta", "ns"));
    assert_eq!(g.secret_type, "kubernetes.io/tls");
    let config =
        rustomize_yaml::parse_one("kind: ConfigMapGenerator\nname: top\nmetadata: {name: m}\n")
            .unwrap();
    assert_eq!(
        ConfigMapGenerator::from_config(&config).unwrap().name,
        "top"
    );
}

#[test]
fn base64_wraps_at_seventy() {
    assert_eq!(encode_base64(b""), "");
    assert_eq!(encode_base64(b"a"), "YQ==");
    assert_eq!(encode_base64(b"ab"), "YWI=");
    assert_eq!(encode_base64(b"abc"), "YWJj");
    assert_eq!(encode_base64(&[b'z'; 51]).len(), 68);
    let wrapped = encode_base64(&[b'z'; 53]);
    assert_eq!(wrapped.len(), 72 + 2);
    assert!(wrapped.ends_with("\n") && wrapped.as_bytes()[70] == b'\n');
}

#[test]
fn same_name_in_two_namespaces() {
    let fs = fs(&[(
        "kustomization.yaml",
        indoc! {"
            configMapGenerator:
            - name: test
              namespace: default
              literals: [key=value]
            - name: test
              namespace: kube-system
              literals: [key=value]
            secretGenerator:
            - name: test
              namespace: default
              literals: [username=admin, password=somepw]
            - name: test
              namespace: kube-system
              literals: [username=admin, password=somepw]
        "}
        .as_bytes(),
    )]);
    let want = indoc! {"
        apiVersion: v1
        data:
          key: value
        kind: ConfigMap
        metadata:
          name: test-t757gk2bmf
          namespace: default
        ---
        apiVersion: v1
        data:
          key: value
        kind: ConfigMap
        metadata:
          name: test-t757gk2bmf
          namespace: kube-system
        ---
        apiVersion: v1
        data:
          password: c29tZXB3
          username: YWRtaW4=
        kind: Secret
        metadata:
          name: test-bgd6bkgdm2
          namespace: default
        type: Opaque
        ---
        apiVersion: v1
        data:
          password: c29tZXB3
          username: YWRtaW4=
        kind: Secret
        metadata:
          name: test-bgd6bkgdm2
          namespace: kube-system
        type: Opaque
    "};
    assert_eq!(build(&fs, "").unwrap(), want);
}

#[test]
fn overlay_without_namespace_finds_base_resource_by_its_earlier_id() {
    let fs = fs(&[
        (
            "base/kustomization.yaml",
            b"namespace: base\nconfigMapGenerator:\n- name: testCase\n  literals: [base=apple]\n",
        ),
        (
            "overlay/kustomization.yaml",
            b"configMapGenerator:\n- name: testCase\n  behavior: merge\n  literals: [overlay=peach]\n",
        ),
    ]);
    let mut rm = ResMap::new();
    run_generators(&fs, "base", &mut rm).unwrap();
    rename(&mut rm, "", "base");
    run_generators(&fs, "overlay", &mut rm).unwrap();
    // The overlay's `namespace: overlay` would move it; the hash does not
    // depend on the namespace.
    rm.resources_mut()[0].set_namespace("overlay");
    HashTransformer.transform(&mut rm).unwrap();
    let want = indoc! {"
        apiVersion: v1
        data:
          base: apple
          overlay: peach
        kind: ConfigMap
        metadata:
          name: testCase-gmfch8gkbt
          namespace: overlay
    "};
    assert_eq!(print(&rm), want);
}

#[test]
fn several_matches_are_an_error() {
    let cm = |name: &str| {
        Resource::new(
            rustomize_yaml::parse_one(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"
            ))
            .unwrap(),
        )
    };
    let mut rm = ResMap::new();
    rm.append(cm("x")).unwrap();
    let mut renamed = cm("x");
    renamed.store_previous_id();
    renamed.set_name("y");
    rm.append(renamed).unwrap();
    let mut generated = cm("x");
    generated.meta.behavior = Some(Behavior::Merge);
    let e = Absorber::new(&mut rm)
        .absorb(vec![generated])
        .unwrap_err()
        .report()
        .to_string();
    assert_eq!(
        e,
        "found multiple objects [ConfigMap.v1.[noGrp]/x.[noNs] ConfigMap.v1.[noGrp]/y.[noNs]] that could accept merge of ConfigMap.v1.[noGrp]/x.[noNs]"
    );
}
