//! JSON patch cases, each checked against `kubectl kustomize` (v5.5.0):
//! the document below patched through `patchesJson6902`, and what kubectl
//! printed (the object, or the error message).

use super::*;
use indoc::indoc;

const DOC: &str = indoc! {"
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: c
    data:
      a: x
    list:
    - 1
    - 2
    - 3
    obj:
      k: v
      n: null
"};

fn run(ops: &str) -> Result<String, String> {
    let mut doc = rustomize_yaml::parse_one(DOC).expect("doc");
    let patch = Patch::parse(ops).map_err(|e| e.to_string())?;
    patch.apply(&mut doc).map_err(|e| e.to_string())?;
    Ok(rustomize_yaml::emit::to_string(&doc).expect("emit"))
}

#[test]
fn operations_behave_as_kustomize() {
    let cases: &[(&str, &str, Result<&str, &str>)] = &[
        (
            r#"append"#,
            r#"- {op: add, path: /list/-, value: 4}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
- 4
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"add_at_minus_one_appends"#,
            r#"- {op: add, path: /list/-1, value: 9}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
- 9
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"add_at_zero_inserts"#,
            r#"- {op: add, path: /list/0, value: 0}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 0
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"add_at_len_appends"#,
            r#"- {op: add, path: /list/3, value: 4}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
- 4
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"add_past_len_fails"#,
            r#"- {op: add, path: /list/4, value: 4}"#,
            Err(
                r#"error in add for path: '/list/4': Unable to access invalid index: 4: invalid index referenced"#,
            ),
        ),
        (
            r#"add_at_minus_len_plus_one"#,
            r#"- {op: add, path: /list/-4, value: 0}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 0
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"add_too_negative_fails"#,
            r#"- {op: add, path: /list/-5, value: 0}"#,
            Err(
                r#"error in add for path: '/list/-5': Unable to access invalid index: -5: invalid index referenced"#,
            ),
        ),
        (
            r#"remove_last"#,
            r#"- {op: remove, path: /list/-1}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"remove_out_of_range_fails"#,
            r#"- {op: remove, path: /list/3}"#,
            Err(
                r#"error in remove for path: '/list/3': Unable to access invalid index: 3: invalid index referenced"#,
            ),
        ),
        (
            r#"replace_missing_object_key_adds"#,
            r#"- {op: replace, path: /obj/missing, value: new}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  missing: new
  "n": null
"#),
        ),
        (
            r#"replace_missing_index_fails"#,
            r#"- {op: replace, path: /list/5, value: x}"#,
            Err(r#"replace operation does not apply: doc is missing key: /list/5: missing value"#),
        ),
        (
            r#"replace_negative_index"#,
            r#"- {op: replace, path: /list/-1, value: x}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- x
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"move_leaves_empty_map"#,
            r#"- {op: move, from: /data/a, path: /obj/a}"#,
            Ok(r#"apiVersion: v1
data: {}
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  a: x
  k: v
  "n": null
"#),
        ),
        (
            r#"copy_missing_key_copies_null"#,
            r#"- {op: copy, from: /obj/nokey, path: /obj/c}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  c: null
  k: v
  "n": null
"#),
        ),
        (
            r#"copy_list_item"#,
            r#"- {op: copy, from: /list/0, path: /list/-}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
- 1
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"test_passes"#,
            r#"- {op: test, path: /data/a, value: x}
- {op: add, path: /data/b, value: y}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
  b: true
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"test_fails"#,
            r#"- {op: test, path: /data/a, value: z}"#,
            Err(r#"testing value /data/a failed: test failed"#),
        ),
        (
            r#"test_null_value"#,
            r#"- {op: test, path: /obj/n, value: null}
- {op: add, path: /data/b, value: ok}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
  b: ok
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"test_missing_is_null"#,
            r#"- {op: test, path: /obj/zz, value: null}
- {op: add, path: /data/b, value: ok}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
  b: ok
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"test_structure"#,
            r#"- {op: test, path: /obj, value: {k: v, n: null}}
- {op: test, path: /list, value: [1, 2.0, 3]}
- {op: add, path: /data/b, value: ok}"#,
            Err(r#"testing value /obj failed: test failed"#),
        ),
        (
            r#"null_parent_is_missing"#,
            r#"- {op: add, path: /obj/n/x, value: 1}"#,
            Err(r#"add operation does not apply: doc is missing path: "/obj/n/x": missing value"#),
        ),
        (
            r#"first_segment_ignored"#,
            r#"- {op: add, path: x/obj/k2, value: 1}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  k2: 1
  "n": null
"#),
        ),
        (
            r#"escapes"#,
            r#"- {op: add, path: /obj/a~1b, value: 1}
- {op: add, path: /obj/c~0d, value: 2}
- {op: add, path: /obj/e~01, value: 3}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  a/b: 1
  c~d: 2
  e~1: 3
  k: v
  "n": null
"#),
        ),
        (
            r#"unknown_op"#,
            r#"- {op: frob, path: /obj/a}"#,
            Err(r#"Unexpected kind: frob"#),
        ),
        (
            r#"missing_op"#,
            r#"- {path: /obj/a}"#,
            Err(r#"Unexpected kind: unknown"#),
        ),
        (
            r#"add_without_value_adds_null"#,
            r#"- {op: add, path: /obj/nv}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
  nv: null
"#),
        ),
        (
            r#"remove_missing_key_fails"#,
            r#"- {op: remove, path: /obj/zz}"#,
            Err(
                r#"error in remove for path: '/obj/zz': Unable to remove nonexistent key: zz: missing value"#,
            ),
        ),
        (
            r#"add_root_fails"#,
            r#"- {op: add, path: "", value: {}}"#,
            Err(r#"add operation does not apply: doc is missing path: "": missing value"#),
        ),
        (
            r#"index_leading_zero"#,
            r#"- {op: replace, path: /list/01, value: x}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- x
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"index_not_a_number_add"#,
            r#"- {op: add, path: /list/x, value: x}"#,
            Err(
                r#"error in add for path: '/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax"#,
            ),
        ),
        (
            r#"index_plus_sign"#,
            r#"- {op: remove, path: /list/+0}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"index_not_a_number_remove"#,
            r#"- {op: remove, path: /list/x}"#,
            Err(
                r#"error in remove for path: '/list/x': strconv.Atoi: parsing "x": invalid syntax"#,
            ),
        ),
        (
            r#"index_not_a_number_replace"#,
            r#"- {op: replace, path: /list/x, value: 1}"#,
            Err(r#"replace operation does not apply: doc is missing key: /list/x: missing value"#),
        ),
        (
            r#"yaml_1_1_types"#,
            r#"- op: add
  path: /obj/t
  value: {y: yes, o: on, oct: 0777, f: 1e3, ts: 2001-12-14, s: "yes", m: 1000000, fl: 1.50, u: 1_000, h: 0x1F}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
  t:
    f: 1000
    fl: 1.5
    h: 31
    m: 1000000
    o: true
    oct: 511
    s: "yes"
    "true": true
    ts: "2001-12-14"
    u: 1000
"#),
        ),
        (
            r#"json_text"#,
            r#"[{"op": "add", "path": "/obj/j", "value": {"x": [1, 2.5, "s"], "y": true}}]"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  j:
    x:
    - 1
    - 2.5
    - s
    "y": true
  k: v
  "n": null
"#),
        ),
        (
            r#"replace_root"#,
            r#"- op: replace
  path: ""
  value: {apiVersion: v1, kind: ConfigMap, metadata: {name: r}}"#,
            Ok(r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: r
"#),
        ),
        (
            r#"replace_root_with_scalar_is_ignored"#,
            r#"- op: replace
  path: ""
  value: 5"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"replace_root_with_null_keeps_the_document_for_later_operations"#,
            r#"- {op: replace, path: "", value: null}
- {op: test, path: /kind, value: ConfigMap}
- {op: add, path: /x, value: 1}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
x: 1
"#),
        ),
        (
            r#"move_missing_from_fails"#,
            r#"- {op: move, from: /obj/zz, path: /obj/a}"#,
            Err(
                r#"error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value"#,
            ),
        ),
        (
            r#"move_into_missing_parent_fails"#,
            r#"- {op: move, from: /data/a, path: /nope/a}"#,
            Err(
                r#"move operation does not apply: doc is missing destination path: /nope/a: missing value"#,
            ),
        ),
        (
            r#"copy_missing_from_parent_fails"#,
            r#"- {op: copy, from: /nope/a, path: /obj/a}"#,
            Err(
                r#"copy operation does not apply: doc is missing from path: /nope/a: missing value"#,
            ),
        ),
        (
            r#"test_missing_parent_fails"#,
            r#"- {op: test, path: /nope/a, value: 1}"#,
            Err(r#"test operation does not apply: is missing path: /nope/a: missing value"#),
        ),
        (
            r#"replace_missing_parent_fails"#,
            r#"- {op: replace, path: /nope/a, value: 1}"#,
            Err(r#"replace operation does not apply: doc is missing path: /nope/a: missing value"#),
        ),
        (
            r#"remove_missing_parent_fails"#,
            r#"- {op: remove, path: /nope/a}"#,
            Err(
                r#"remove operation does not apply: doc is missing path: "/nope/a": missing value"#,
            ),
        ),
        (
            r#"path_not_a_string"#,
            r#"- {op: add, path: 5, value: 1}"#,
            Err(r#"add operation failed to decode path: missing value"#),
        ),
        (
            r#"replace_path_missing"#,
            r#"- {op: replace, value: 1}"#,
            Err(
                r#"replace operation failed to decode path: operation missing path field: missing value"#,
            ),
        ),
        (
            r#"move_from_missing"#,
            r#"- {op: move, path: /a}"#,
            Err(
                r#"move operation failed to decode from: operation, missing from field: missing value"#,
            ),
        ),
        (
            r#"scalar_parent_is_missing"#,
            r#"- {op: add, path: /data/a/b, value: 1}"#,
            Err(r#"add operation does not apply: doc is missing path: "/data/a/b": missing value"#),
        ),
        (
            r#"test_structure_quoted_key"#,
            r#"- {op: test, path: /obj, value: {k: v, "n": null}}
- {op: test, path: /list, value: [1, 2.0, 3]}
- {op: test, path: "", value: {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: x}, list: [1, 2, 3], obj: {k: v, "n": null}}}
- {op: add, path: /data/b, value: ok}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
  b: ok
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  k: v
  "n": null
"#),
        ),
        (
            r#"test_null_matches_empty_map"#,
            r#"- {op: add, path: /obj/e, value: {}}
- {op: test, path: /obj/e, value: null}"#,
            Err(r#"testing value /obj/e failed: test failed"#),
        ),
        (
            r#"empty_list_value"#,
            r#"- {op: add, path: /obj/e, value: []}
- {op: add, path: /obj/e/-, value: {a: 1}}"#,
            Ok(r#"apiVersion: v1
data:
  a: x
kind: ConfigMap
list:
- 1
- 2
- 3
metadata:
  name: c
obj:
  e:
  - a: 1
  k: v
  "n": null
"#),
        ),
    ];
    for (name, ops, want) in cases {
        let got = run(ops);
        let want = want.map(str::to_string).map_err(str::to_string);
        assert_eq!(got, want, "case {name}");
    }
}

#[test]
fn paths_split_like_json_patch_v4() {
    assert_eq!(split(""), None);
    assert_eq!(split("a"), None);
    assert_eq!(split("/"), Some((vec![], String::new())));
    assert_eq!(
        split("/a/b~1c/d"),
        Some((vec!["a".into(), "b/c".into()], "d".into()))
    );
    assert_eq!(split("x/a"), Some((vec![], "a".into())));
    assert_eq!(unescape("~01~1~"), "~1/~");
}

#[test]
fn the_json_round_trip_makes_numbers_float64() {
    let mut doc = rustomize_yaml::parse_one(indoc! {"
        a: 1000000
        b: 0x1F
        c: 1.50
        d: 2001-12-14
        e: True
        f: ~
        g: 12345678901234567890
    "})
    .unwrap();
    Patch::default().apply(&mut doc).unwrap();
    let text = |k: &str| {
        doc.get(k)
            .and_then(Node::as_scalar)
            .map(|s| (s.value.clone(), s.tag))
    };
    assert_eq!(text("a"), Some(("1e+06".into(), Tag::Float)));
    assert_eq!(text("b"), Some(("31".into(), Tag::Int)));
    assert_eq!(text("c"), Some(("1.5".into(), Tag::Float)));
    assert_eq!(text("d"), Some(("2001-12-14T00:00:00Z".into(), Tag::Str)));
    assert_eq!(text("e"), Some(("true".into(), Tag::Bool)));
    assert_eq!(text("f"), Some(("null".into(), Tag::Null)));
    // Beyond 2^53 precision is lost, as in Go (kubectl prints
    // 12345678901234567000 for it).
    assert_eq!(
        text("g"),
        Some(("1.2345678901234567e+19".into(), Tag::Float))
    );
    doc.as_map_mut().unwrap().remove("g");
    // Printed as kustomize prints it after a JSON patch.
    assert_eq!(
        rustomize_yaml::emit::to_string(&doc).unwrap(),
        indoc! {r#"
            a: 1000000
            b: 31
            c: 1.5
            d: "2001-12-14T00:00:00Z"
            e: true
            f: null
        "#}
    );
}

#[test]
fn decoding_errors_are_worded_as_go_words_them() {
    let shape = |t: &str| match Patch::parse(t) {
        Err(DecodeError::Shape { json, message }) => (json, message),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        shape("thisIsNotAPatch"),
        (
            r#""thisIsNotAPatch""#.to_string(),
            "json: cannot unmarshal string into Go value of type jsonpatch.Patch".to_string()
        )
    );
    assert_eq!(
        shape("a: b").1,
        "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    );
    assert_eq!(
        shape("- 1").1,
        "json: cannot unmarshal number into Go value of type jsonpatch.Operation"
    );
    assert!(Patch::parse("").unwrap().is_empty());
    assert!(Patch::parse("# comment\n").unwrap().is_empty());
    assert!(matches!(
        Patch::parse("[{op: add}]"),
        Err(DecodeError::Shape { .. })
    ));
}

#[test]
fn apply_takes_parsed_yaml_ops() {
    let mut doc = rustomize_yaml::parse_one("a: 1\n").unwrap();
    let ops = rustomize_yaml::parse_one("- {op: add, path: /b, value: on}\n").unwrap();
    apply(&mut doc, &ops).unwrap();
    assert_eq!(
        rustomize_yaml::emit::to_string(&doc).unwrap(),
        "a: 1\nb: true\n"
    );
}

/// kustomize has no bound here: thirty copies of `/spec` into itself double
/// the object thirty times (a billion nodes). The patch is refused once
/// the document passes a million nodes.
#[test]
fn a_patch_copying_a_subtree_into_itself_is_bounded() {
    let mut doc = rustomize_yaml::parse_one("spec: {a: 1, b: [1, 2, 3]}\n").unwrap();
    let ops: String = (0..30)
        .map(|i| format!("- {{op: copy, from: /spec, path: /spec/c{i}}}\n"))
        .collect();
    let err = Patch::parse(&ops).unwrap().apply(&mut doc).unwrap_err();
    assert!(
        err.to_string()
            .contains("copy operation refused: the document would hold more than 1000000 nodes"),
        "{err}"
    );
    // A few copies are fine.
    let mut doc = rustomize_yaml::parse_one("spec: {a: 1}\n").unwrap();
    let ops: String = (0..5)
        .map(|i| format!("- {{op: copy, from: /spec, path: /spec/c{i}}}\n"))
        .collect();
    Patch::parse(&ops).unwrap().apply(&mut doc).unwrap();
    // Each copy doubles `spec` and adds a key: 3, 7, 15, ..., 127 nodes.
    assert_eq!(rustomize_yaml::limits::count(&doc), 2 + 127);
}

/// Moving or copying a subtree under itself level after level nests the
/// document past what a YAML document may hold (and kustomize prints).
#[test]
fn a_patch_nesting_past_the_depth_limit_is_refused() {
    // On the build's stack, as in a build: the JSON round trip recurses.
    crate::run_on_large_stack(|| {
        let deep = format!("spec: {}1{}\n", "[".repeat(9_997), "]".repeat(9_997));
        let mut doc = rustomize_yaml::parse_one(&deep).unwrap();
        let ops = "- {op: copy, from: /spec, path: /x}\n- {op: add, path: /y, value: {a: {b: {}}}}\n- {op: copy, from: /x, path: /y/a/b/c}\n";
        let err = Patch::parse(ops).unwrap().apply(&mut doc).unwrap_err();
        assert!(
            err.to_string().contains("exceeded max depth of 10000"),
            "{err}"
        );
    });
}
