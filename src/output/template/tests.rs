//! Template behaviour checked against Go 1.19's text/template (the
//! expected strings were produced by Go with the same template and data).

use serde_json::json;

use super::*;

fn run(text: &str, data: serde_json::Value) -> String {
    let t = Template::parse("t", text).unwrap_or_else(|e| panic!("{text}: {e}"));
    t.execute(&data).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn run_err(text: &str, data: serde_json::Value) -> String {
    match Template::parse("t", text) {
        Err(e) => e.to_string(),
        Ok(t) => t.execute(&data).expect_err(text).to_string(),
    }
}

#[test]
fn fields_and_printing() {
    let data = json!({
        "ID": "abc", "N": 3, "F": 2.5, "B": true, "L": ["x", "y"], "M": {"b": 1, "a": "z"},
        "Nil": null, "Nested": {"Deep": {"V": "d"}}
    });
    assert_eq!(
        run("{{.ID}} {{.N}} {{.F}} {{.B}}", data.clone()),
        "abc 3 2.5 true"
    );
    assert_eq!(run("{{.L}} {{.M}}", data.clone()), "[x y] map[a:z b:1]");
    assert_eq!(
        run("{{.Nil}}|{{.Missing}}|{{.Missing.Deeper}}", data.clone()),
        "<no value>|<no value>|<no value>"
    );
    assert_eq!(run("{{.Nested.Deep.V}}", data.clone()), "d");
    assert_eq!(run("{{.}}", json!("s")), "s");
    assert_eq!(
        run("{{print .Nil}} {{printf \"%v\" .Missing}}", data.clone()),
        "<nil> <nil>"
    );
}

#[test]
fn variables_and_pipelines() {
    let data = json!({"A": "hello", "L": [1, 2, 3]});
    assert_eq!(run("{{$x := .}}{{$x}} {{$}}", json!("v")), "v v");
    assert_eq!(run("{{$x := 1}}{{$x = 2}}{{$x}}", data.clone()), "2");
    assert_eq!(
        run("{{.A | upper | printf \"%s!\"}}", data.clone()),
        "HELLO!"
    );
    assert_eq!(run("{{(len .L) | printf \"%d\"}}", data.clone()), "3");
    assert_eq!(
        run("{{range $i, $v := .L}}{{$i}}={{$v}} {{end}}", data.clone()),
        "0=1 1=2 2=3 "
    );
    assert_eq!(run("{{range $v := .L}}{{$v}}{{end}}", data.clone()), "123");
    assert_eq!(
        run("{{with $x := .A}}{{$x}}{{.}}{{end}}", data),
        "hellohello"
    );
}

#[test]
fn control_structures() {
    let data = json!({"T": true, "F": false, "E": [], "L": ["a", "b", "c"], "M": {"k2": "v2", "k1": "v1"}, "S": ""});
    assert_eq!(run("{{if .T}}y{{else}}n{{end}}", data.clone()), "y");
    assert_eq!(
        run("{{if .F}}1{{else if .T}}2{{else}}3{{end}}", data.clone()),
        "2"
    );
    assert_eq!(
        run("{{range .E}}x{{else}}empty{{end}}", data.clone()),
        "empty"
    );
    assert_eq!(
        run("{{range .Missing}}x{{else}}none{{end}}", data.clone()),
        "none"
    );
    assert_eq!(
        run("{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}", data.clone()),
        "k1=v1;k2=v2;"
    );
    assert_eq!(
        run(
            "{{range .L}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}",
            data.clone()
        ),
        "a"
    );
    assert_eq!(
        run(
            "{{range .L}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}",
            data.clone()
        ),
        "ac"
    );
    assert_eq!(
        run(
            "{{with .S}}x{{else}}y{{end}}{{with .L}}{{len .}}{{end}}",
            data.clone()
        ),
        "y3"
    );
    assert_eq!(
        run(
            "{{and 1 0 2}} {{or 0 \"\" \"z\"}} {{not .F}} {{and .T .L}}",
            data
        ),
        "0 z true [a b c]"
    );
}

#[test]
fn trim_markers_and_comments() {
    assert_eq!(run("a  {{- \"b\" -}}  c", json!(null)), "abc");
    assert_eq!(run("a {{/* comment */}}b", json!(null)), "a b");
    assert_eq!(run("a {{- /* comment */ -}} b", json!(null)), "ab");
    assert_eq!(run("{{range .}}{{.}}\n{{end -}}", json!([1, 2])), "1\n2\n");
}

#[test]
fn literals() {
    assert_eq!(
        run(
            "{{1}} {{-1}} {{1.5}} {{1e3}} {{0x10}} {{'a'}} {{true}} {{\"q\"}} {{`raw\\n`}}",
            json!(null)
        ),
        "1 -1 1.5 1000 16 97 true q raw\\n"
    );
    assert_eq!(
        run("{{printf \"%d %s %v\" 1 \"s\" nil}}", json!(null)),
        "1 s <nil>"
    );
    assert_eq!(run("{{print 1 2 \"a\" 3}}", json!(null)), "1 2a3");
    assert_eq!(run("{{println 1 \"a\"}}", json!(null)), "1 a\n");
}

#[test]
fn define_template_block() {
    assert_eq!(
        run(
            "{{define \"x\"}}[{{.}}]{{end}}{{template \"x\" .A}}{{template \"x\"}}",
            json!({"A": 1})
        ),
        "[1][<no value>]"
    );
    assert_eq!(run("{{block \"b\" .}}<{{.}}>{{end}}", json!(5)), "<5>");
}

#[test]
fn podman_functions() {
    let data = json!({"Names": ["a", "b"], "S": "a:b", "Labels": {"app": "web"}});
    assert_eq!(run("{{join .Names \",\"}}", data.clone()), "a,b");
    assert_eq!(run("{{split .S \":\"}}", data.clone()), "[a b]");
    assert_eq!(
        run("{{json .Labels}} {{json .Names}}", data.clone()),
        r#"{"app":"web"} ["a","b"]"#
    );
    assert_eq!(
        run(
            "{{index .Labels \"app\"}}|{{index .Labels \"x\"}}|{{.Labels.x}}",
            data.clone()
        ),
        "web||<no value>"
    );
    assert_eq!(
        run(
            "{{truncate .S 1}} {{pad .S 1 1}}| {{title \"ab cd\"}} {{lower \"AB\"}}",
            data
        ),
        "a  a:b | Ab Cd ab"
    );
}

#[test]
fn struct_fields_are_checked() {
    #[derive(serde::Serialize)]
    #[serde(rename = "containers.psReporter")]
    #[allow(non_snake_case)]
    struct Row {
        ID: String,
    }
    let t = Template::parse("ps", "{{range .}}{{.ID}} {{.Foo}}\n{{end -}}").unwrap();
    let rows = [Row { ID: "abc".into() }];
    let value = Value::from_serialize(&rows).unwrap();
    let mut out = String::new();
    let err = t.execute_value(&value, &mut out).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: ps:1:21: executing \"ps\" at <.Foo>: can't evaluate field Foo in type containers.psReporter"
    );
    assert_eq!(out, "abc ", "output before the error is kept");
}

#[test]
fn execution_errors_are_go_worded() {
    let data = json!({"S": "x", "L": [1], "N": 1});
    assert_eq!(
        run_err("{{.S.Foo}}", data.clone()),
        "template: t:1:4: executing \"t\" at <.S.Foo>: can't evaluate field Foo in type string"
    );
    assert_eq!(
        run_err("{{index .L 5}}", data.clone()),
        "template: t:1:2: executing \"t\" at <index .L 5>: error calling index: index out of range: 5"
    );
    assert_eq!(
        run_err("{{upper .N}}", data.clone()),
        "template: t:1:8: executing \"t\" at <.N>: wrong type for value; expected string; got uint64"
    );
    assert_eq!(
        run_err("{{upper 3}}", data.clone()),
        "template: t:1:8: executing \"t\" at <3>: expected string; found 3"
    );
    assert_eq!(
        run_err("{{upper}}", data.clone()),
        "template: t:1:2: executing \"t\" at <upper>: wrong number of args for upper: want 1 got 0"
    );
    assert_eq!(
        run_err("{{range .N}}{{end}}", data.clone()),
        "template: t:1:8: executing \"t\" at <.N>: range can't iterate over 1"
    );
    assert_eq!(
        run_err("{{.S 1}}", data.clone()),
        "template: t:1:2: executing \"t\" at <.S>: S is not a method but has arguments"
    );
    assert_eq!(
        run_err("{{template \"nope\"}}", data.clone()),
        "template: t:1:11: executing \"t\" at <{{template \"nope\"}}>: template \"nope\" not defined"
    );
    assert_eq!(
        run_err("{{nil}}", data.clone()),
        "template: t:1:2: executing \"t\" at <nil>: nil is not a command"
    );
    assert_eq!(
        run_err("x\n {{eq .S 1}}", data),
        "template: t:2:3: executing \"t\" at <eq .S 1>: error calling eq: incompatible types for comparison"
    );
}

/// Go's nil slices and maps print as `[]` and `map[]` but encode as
/// `null` (as `podman ps --format '{{.Labels}} {{json .Labels}}'` shows for
/// a container without labels).
#[test]
fn typed_nils() {
    #[derive(serde::Serialize)]
    #[allow(non_snake_case)]
    struct Row {
        #[serde(serialize_with = "value::nil_map")]
        Labels: Option<std::collections::BTreeMap<String, String>>,
        #[serde(serialize_with = "value::nil_list")]
        Mounts: Option<Vec<String>>,
    }
    let row = Row {
        Labels: None,
        Mounts: None,
    };
    let t = Template::parse(
        "ps",
        "{{.Labels}} {{json .Labels}} {{.Mounts}} {{json .Mounts}} {{len .Labels}} \
         {{index .Labels \"a\"}}|{{.Labels.a}}|{{join .Mounts \",\"}}|{{range .Mounts}}x{{else}}none{{end}}|{{if .Labels}}y{{else}}n{{end}}|{{eq .Mounts nil}}",
    )
    .unwrap();
    assert_eq!(
        t.execute(&row).unwrap(),
        "map[] null [] null 0 |<no value>||none|n|true"
    );
    assert_eq!(
        serde_json::to_string(&row).unwrap(),
        r#"{"Labels":null,"Mounts":null}"#
    );
    let full = Row {
        Labels: Some([("a".to_string(), "b".to_string())].into()),
        Mounts: Some(vec!["/x".to_string()]),
    };
    assert_eq!(
        Template::parse("ps", "{{.Labels}} {{json .Mounts}}")
            .unwrap()
            .execute(&full)
            .unwrap(),
        "map[a:b] [\"/x\"]"
    );
}

#[test]
fn field_case_folding_is_opt_in() {
    let data = json!({"host": {"arch": "amd64"}, "Labels": {"app": "web"}});
    let t = Template::parse(
        "info",
        "{{.Host.Arch}} {{.labels.APP}} {{index .Labels \"APP\"}}",
    )
    .unwrap();
    assert_eq!(t.execute(&data).unwrap(), "<no value> <no value> ");
    let t = t.fold_field_case(true);
    assert_eq!(t.execute(&data).unwrap(), "amd64 web ");
}

#[test]
fn recursion_is_bounded() {
    let t = Template::parse(
        "t",
        "{{define \"a\"}}{{template \"a\" .}}{{end}}{{template \"a\" .}}",
    )
    .unwrap();
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || t.execute(&json!(1)).unwrap_err().to_string())
        .unwrap();
    let message = handle.join().unwrap();
    assert!(
        message.contains("exceeded maximum template depth"),
        "{message}"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = "{{".to_string() + &"(".repeat(5000) + "1" + &")".repeat(5000) + "}}";
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || Template::parse("t", &text).unwrap_err().to_string())
        .unwrap();
    assert_eq!(
        handle.join().unwrap(),
        "template: t:1: max expression depth exceeded"
    );
}

/// Random templates never panic, in parsing or execution.
#[test]
fn random_input_never_panics() {
    let pieces = [
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        ".",
        ".A",
        ".B.C",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "-2.5",
        "0x1f",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "nil",
        "true",
        "len",
        "index",
        "slice",
        "printf",
        "\"%d %s %v\"",
        "json",
        "upper",
        "join",
        "split",
        "truncate",
        "pad",
        "eq",
        "lt",
        "and",
        "or",
        "not",
        ",",
        "/*",
        "*/",
        "\n",
        "é",
        "\\",
        "\"",
        "'",
        "`",
        "html",
        "js",
        "urlquery",
        "call",
        "print",
        "%",
        "[1]",
        "*",
        "title",
        "lower",
        "ne",
        "ge",
    ];
    let data = Value::from(json!({"A": [1, "x", null, {"k": 2.5}], "B": {"C": "s"}, "N": -3}));
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let len = (next() % 12) as usize;
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        if let Ok(t) = Template::parse("fuzz", &text) {
            let mut out = String::new();
            let _ = t.execute_value(&data, &mut out);
        }
        // Raw random bytes as well.
        let bytes: Vec<u8> = (0..(next() % 16)).map(|_| (next() % 128) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(t) = Template::parse("fuzz", &text) {
            let mut out = String::new();
            let _ = t.execute_value(&data, &mut out);
        }
    }
}

/// Differential harness: with `BERTH_TEMPLATE_CASES=in.jsonl` (lines of
/// `{"Text": ..., "Data": ...}`) writes `{"out": ..., "err": ...}` lines to
/// `$BERTH_TEMPLATE_CASES.out`, to compare with Go's text/template.
#[test]
#[ignore = "development tool: compare with Go's text/template"]
fn differential_harness() {
    let Ok(path) = std::env::var("BERTH_TEMPLATE_CASES") else {
        return;
    };
    let input = std::fs::read_to_string(&path).unwrap();
    let mut output = String::new();
    for line in input.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = case["Text"].as_str().unwrap_or_default();
        let data = Value::from(case["Data"].clone());
        let mut result = serde_json::Map::new();
        match Template::parse("t", text) {
            Err(e) => {
                result.insert("err".into(), e.to_string().into());
            }
            Ok(t) => {
                let mut out = String::new();
                let r = t.execute_value(&data, &mut out);
                result.insert("out".into(), out.into());
                if let Err(e) = r {
                    result.insert("err".into(), e.to_string().into());
                }
            }
        }
        output.push_str(&serde_json::Value::Object(result).to_string());
        output.push('\n');
    }
    std::fs::write(format!("{path}.out"), output).unwrap();
}
