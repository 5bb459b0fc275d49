"""Jenkinsfile loader: stages, shell steps and their context, with exact lines; malformed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from astra_guard.loaders import JENKINSFILE, family_by_name, jenkinsfile, load_text
from astra_guard.loaders.groovy_lexer import STR, tokenize

SEED = Path(__file__).resolve().parents[2] / "examples" / "astradesk-seed" / "ci" / "Jenkinsfile"


def load_ok(text: str, file: str = "Jenkinsfile"):
    result = jenkinsfile.load(text, file)
    assert result.errors == [], result.errors
    assert result.skipped == []
    (resource,) = result.resources
    return resource


def error_of(text: str):
    result = jenkinsfile.load(text, "Jenkinsfile")
    assert result.resources == []
    (error,) = result.errors
    return error


def stage(resource, name: str):
    (found,) = [s for s in resource.data["stages"] if s["name"] == name]
    return found


def scripts(resource):
    return [st["script"] for s in resource.data["stages"] for st in s["steps"]] + [
        st["script"] for st in resource.data["steps"]
    ]


# --- the seed file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    return load_ok(SEED.read_text(encoding="utf-8"), "ci/Jenkinsfile")


def test_seed_resource(seed):
    assert (seed.family, seed.kind, seed.name, seed.file) == ("jenkinsfile", "Jenkinsfile", "ci/Jenkinsfile", "ci/Jenkinsfile")
    assert seed.data["unparsed"] == [] and seed.data["steps"] == []


def test_seed_environment(seed):
    assert seed.data["environment"] == {
        "REG": "ghcr.io/org/astradesk", "IMG": "support-agent", "TAG": "1.0.${BUILD_NUMBER}"}
    assert [seed.locate(("environment", k))[0].line for k in ("REG", "IMG", "TAG")] == [5, 6, 7]
    assert seed.locate(("environment",))[0].line == 4


def test_seed_stages(seed):
    stages = seed.data["stages"]
    assert [(s["name"], s["line"]) for s in stages] == [
        ("Checkout", 10), ("CI", 11), ("Build", 18), ("SBOM & Scan", 21), ("Push", 27), ("Deploy", 28)]
    assert [seed.locate(("stages", i))[0].line for i in range(len(stages))] == [10, 11, 18, 21, 27, 28]
    assert stages[0]["steps"] == []  # `checkout scm` is not a shell step
    assert all(s["parent"] is None for s in stages)


def test_seed_scan_stage_steps(seed):
    scan = stage(seed, "SBOM & Scan")
    assert scan["steps"] == [
        {"type": "sh", "script": "syft $REG/$IMG:$TAG -o json > sbom.json || true", "line": 23, "end_line": 23,
         "return_status": False, "return_stdout": False, "assigned_to": None,
         "in_catch_error": False, "catch_error_build_result": None, "catch_error_stage_result": None,
         "in_try": False, "post_condition": None, "blocks": ["steps"], "quote": "'", "interpolates": False},
        {"type": "sh", "script": "trivy image --exit-code 1 $REG/$IMG:$TAG || true", "line": 24, "end_line": 24,
         "return_status": False, "return_stdout": False, "assigned_to": None,
         "in_catch_error": False, "catch_error_build_result": None, "catch_error_stage_result": None,
         "in_try": False, "post_condition": None, "blocks": ["steps"], "quote": "'", "interpolates": False},
    ]
    assert seed.locate(("stages", 3, "steps", 0))[0].line == 23
    assert seed.locate(("stages", 3, "steps", 1, "script"))[0].line == 24


def test_seed_deploy_steps_inside_with_kube_config(seed):
    deploy = stage(seed, "Deploy")
    assert [(st["line"], st["blocks"]) for st in deploy["steps"]] == [
        (31, ["steps", "withKubeConfig"]), (32, ["steps", "withKubeConfig"])]
    assert deploy["steps"][1]["script"] == "kubectl -n astra-agents apply -f k8s/20-networkpolicy.yaml"
    assert [seed.locate(("stages", 5, "steps", j))[0].line for j in (0, 1)] == [31, 32]


def test_seed_one_line_stages(seed):
    assert stage(seed, "Push")["steps"][0]["script"] == "docker push $REG/$IMG:$TAG"
    assert stage(seed, "Build")["steps"][0]["line"] == 19
    assert [st["script"] for st in stage(seed, "CI")["steps"]] == [
        "python -V", "pip install -r requirements.txt", "pytest -q"]


def test_dispatch_by_name():
    assert family_by_name("ci/Jenkinsfile") == JENKINSFILE
    assert family_by_name("deploy.jenkinsfile") == JENKINSFILE
    result = load_text(SEED.read_text(encoding="utf-8"), "ci/Jenkinsfile", JENKINSFILE)
    assert result.family == "jenkinsfile" and len(result.resources) == 1


# --- step forms ------------------------------------------------------------------------------


def one_stage(steps_body: str):
    return load_ok("pipeline {\n  stages {\n    stage('s') {\n      steps {\n" + steps_body + "      }\n    }\n  }\n}\n")


def test_call_forms_and_quotes():
    res = one_stage(
        "        sh 'single'\n"          # 5
        '        sh "double $X"\n'       # 6
        "        sh('paren')\n"          # 7
        '        sh("paren ${Y}")\n'     # 8
        "        bat 'dir'\n"            # 9
        "        powershell 'Get-Item .'\n"  # 10
        "        pwsh(script: 'Write-Host 1')\n"  # 11
        "        steps.sh 'qualified'\n"  # 12
        "        sh label: 'L', script: 'labelled'\n"  # 13
    )
    steps = res.data["stages"][0]["steps"]
    assert [(s["type"], s["script"], s["line"], s["quote"], s["interpolates"]) for s in steps] == [
        ("sh", "single", 5, "'", False),
        ("sh", "double $X", 6, '"', True),
        ("sh", "paren", 7, "'", False),
        ("sh", "paren ${Y}", 8, '"', True),
        ("bat", "dir", 9, "'", False),
        ("powershell", "Get-Item .", 10, "'", False),
        ("pwsh", "Write-Host 1", 11, "'", False),
        ("sh", "qualified", 12, "'", False),
        ("sh", "labelled", 13, "'", False),
    ]


def test_triple_quoted_scripts_span_lines():
    res = one_stage(
        "        sh '''\n"              # 5
        "          set -e\n"
        "          make all\n"
        "        '''\n"                 # 8
        '        sh """echo ${env.BRANCH_NAME}\n'  # 9
        '              done"""\n'       # 10
    )
    first, second = res.data["stages"][0]["steps"]
    assert (first["line"], first["end_line"], first["quote"]) == (5, 8, "'''")
    assert first["script"] == "\n          set -e\n          make all\n        "
    assert (second["line"], second["end_line"]) == (9, 10)
    assert second["script"] == "echo ${env.BRANCH_NAME}\n              done"
    span = res.locate(("stages", 0, "steps", 0, "script"))[0]
    assert (span.line, span.end_line) == (5, 8)


def test_return_status_stdout_and_assignment():
    res = one_stage(
        "        script {\n"
        "          def rc = sh(script: 'trivy image x', returnStatus: true)\n"  # 6
        "          env.SHA = sh script: \"git rev-parse HEAD\", returnStdout: true\n"  # 7
        "          String out = sh(returnStdout: true, script: 'ls').trim()\n"  # 8
        "          sh(script: 'x', returnStatus: flag)\n"  # 9
        "          if (sh(script: 'test -f a', returnStatus: true) != 0) { echo 'missing' }\n"  # 10
        "        }\n"
    )
    steps = res.data["stages"][0]["steps"]
    assert [(s["line"], s["script"], s["return_status"], s["return_stdout"], s["assigned_to"]) for s in steps] == [
        (6, "trivy image x", True, False, "rc"),
        (7, "git rev-parse HEAD", False, True, "env.SHA"),
        (8, "ls", False, True, "out"),
        (9, "x", "flag", False, None),  # not a literal: the raw text
        (10, "test -f a", True, False, None),
    ]
    assert steps[0]["blocks"] == ["steps", "script"]


def test_literal_forms_and_unreadable_scripts():
    res = one_stage(
        "        sh 'docker push ' + 'img'\n"              # 5
        "        sh '''\n          a\n            b\n        '''.stripIndent()\n"  # 6-9
        "        sh cmd\n"                                 # 10
        '        sh "docker push " + IMAGE\n'             # 11
        "        sh(script: makeScript())\n"               # 12
    )
    assert scripts(res) == ["docker push img", "\na\n  b\n"]
    assert res.data["unparsed"] == [
        {"line": 10, "text": "sh cmd", "reason": "the sh script is not a string literal"},
        {"line": 11, "text": 'sh "docker push " + IMAGE', "reason": "the sh script is not a string literal"},
        {"line": 12, "text": "sh(script: makeScript())", "reason": "the sh script is not a string literal"},
    ]
    assert res.locate(("unparsed", 1))[0].line == 11


def test_escapes_are_resolved_and_gstring_interpolation_kept():
    res = one_stage(
        "        sh 'echo \\'quoted\\' \\\\ done'\n"
        '        sh "echo \\$HOME ${x.collect { it }.join(\',\')} \\"q\\""\n'
    )
    assert scripts(res) == ["echo 'quoted' \\ done", "echo $HOME ${x.collect { it }.join(',')} \"q\""]


# --- blocks ----------------------------------------------------------------------------------


def test_wrapping_blocks():
    res = one_stage(
        "        withCredentials([string(credentialsId: 't', variable: 'T')]) {\n"
        "          dir('app') {\n"
        "            timeout(time: 5, unit: 'MINUTES') {\n"
        "              retry(3) { sh 'deploy' }\n"      # 8
        "            }\n"
        "          }\n"
        "        }\n"
    )
    (step,) = res.data["stages"][0]["steps"]
    assert step["line"] == 8
    assert step["blocks"] == ["steps", "withCredentials", "dir", "timeout", "retry"]


def test_catch_error_marks_steps_with_the_build_result():
    res = one_stage(
        "        catchError(buildResult: 'SUCCESS', stageResult: 'FAILURE') {\n"
        "          sh 'trivy image x'\n"        # 6
        "        }\n"
        "        catchError { sh 'default' }\n"  # 8
        "        warnError('flaky') { sh 'warned' }\n"  # 9
        "        sh 'outside'\n"                # 10
    )
    steps = res.data["stages"][0]["steps"]
    assert [(s["line"], s["in_catch_error"], s["catch_error_build_result"], s["catch_error_stage_result"])
            for s in steps] == [
        (6, True, "SUCCESS", "FAILURE"),
        (8, True, "FAILURE", "SUCCESS"),
        (9, True, "UNSTABLE", "UNSTABLE"),
        (10, False, None, None),
    ]


def test_try_catch_finally():
    res = one_stage(
        "        script {\n"
        "          try {\n"
        "            sh 'risky'\n"              # 7
        "            dir('x') { sh 'nested' }\n"  # 8
        "          } catch (Exception e) {\n"
        "            sh 'recover'\n"            # 10
        "          } finally {\n"
        "            sh 'cleanup'\n"            # 12
        "          }\n"
        "        }\n"
    )
    steps = res.data["stages"][0]["steps"]
    assert [(s["script"], s["line"], s["in_try"]) for s in steps] == [
        ("risky", 7, True), ("nested", 8, True), ("recover", 10, False), ("cleanup", 12, False)]
    assert steps[2]["blocks"] == ["steps", "script", "catch"]


PARALLEL = """\
pipeline {
  agent any
  stages {
    stage('Checks') {
      parallel {
        stage('Unit') { steps { sh 'pytest' } }
        stage("Lint") {
          steps { sh "ruff check ." }
        }
      }
    }
    stage('Release') {
      environment { IMAGE = "app:${GIT_COMMIT}" }
      stages {
        stage('Build') { steps { sh 'docker build .' } }
        stage('Publish') { steps { sh 'docker push app' } }
      }
      post {
        failure { sh 'notify' }
      }
    }
  }
  post { always { sh 'cleanup' } }
}
"""


def test_parallel_and_nested_stages_are_flattened():
    res = load_ok(PARALLEL)
    stages = res.data["stages"]
    assert [(s["name"], s["line"], s["parent"]) for s in stages] == [
        ("Checks", 4, None), ("Unit", 6, "Checks"), ("Lint", 7, "Checks"),
        ("Release", 12, None), ("Build", 15, "Release"), ("Publish", 16, "Release")]
    assert stage(res, "Lint")["steps"][0]["line"] == 8
    assert stage(res, "Checks")["steps"] == []
    assert stage(res, "Release")["environment"] == {"IMAGE": "app:${GIT_COMMIT}"}
    assert res.locate(("stages", 3, "environment", "IMAGE"))[0].line == 13
    assert res.data["environment"] == {}


def test_post_steps():
    res = load_ok(PARALLEL)
    (notify,) = stage(res, "Release")["steps"]
    assert (notify["script"], notify["line"], notify["post_condition"]) == ("notify", 19, "failure")
    (cleanup,) = res.data["steps"]  # pipeline-level post: no stage
    assert (cleanup["script"], cleanup["line"], cleanup["post_condition"]) == ("cleanup", 23, "always")
    assert res.locate(("steps", 0))[0].line == 23


def test_environment_values():
    res = load_ok(
        "pipeline {\n"
        "  environment {\n"
        "    TOKEN = credentials('gh-token')\n"        # 3
        "    BRACES = 'a}{b'\n"                        # 4
        "    SHORT = sh(script: 'git rev-parse --short HEAD', returnStdout: true).trim()\n"  # 5
        "    JOINED = \"a\" +\n"                       # 6
        "      \"b\"\n"
        "  }\n"
        "  stages { stage('x') { steps { sh 'true' } } }\n"
        "}\n"
    )
    assert res.data["environment"] == {
        "TOKEN": "credentials('gh-token')",
        "BRACES": "a}{b",
        "SHORT": "sh(script: 'git rev-parse --short HEAD', returnStdout: true).trim()",
        "JOINED": "ab",
    }
    assert [res.locate(("environment", k))[0].line for k in ("TOKEN", "BRACES", "SHORT", "JOINED")] == [3, 4, 5, 6]
    (short,) = res.data["steps"]  # the sh inside a value runs too
    assert (short["script"], short["assigned_to"], short["return_stdout"], short["line"]) == (
        "git rev-parse --short HEAD", "SHORT", True, 5)


# --- comments, strings, scripted pipelines ---------------------------------------------------


def test_comments_are_not_code():
    res = one_stage(
        "        // sh 'commented out'\n"
        "        /* sh 'block comment'\n"
        "           stage('ghost') { } } */\n"
        "        sh 'real' // sh 'trailing'\n"   # 8
        "        echo \"not a step: sh 'x' // nor /* this */\"\n"
    )
    assert scripts(res) == ["real"]
    assert res.data["stages"][0]["steps"][0]["line"] == 8
    assert [s["name"] for s in res.data["stages"]] == ["s"]


def test_braces_inside_strings_do_not_count():
    res = one_stage(
        "        sh 'echo }}}'\n"
        "        sh \"awk '{print \\$1}' ${ [a: '}'].a }\"\n"
        "        sh '''{\n'''\n"
    )
    assert scripts(res) == ["echo }}}", "awk '{print $1}' ${ [a: '}'].a }", "{\n"]


SCRIPTED = """\
node('linux') {
  checkout scm
  stage('Build') {
    sh 'make'
  }
  stage 'Legacy'
  sh 'legacy step'
  parallel(
    a: { stage('A') { sh 'run a' } },
    b: { sh 'run b' }
  )
}
def helper() {
  sh 'from a function'
}
"""


def test_scripted_pipeline():
    res = load_ok(SCRIPTED)
    assert [(s["name"], s["line"], [(st["script"], st["line"]) for st in s["steps"]]) for s in res.data["stages"]] == [
        ("Build", 3, [("make", 4)]),
        ("Legacy", 6, [("legacy step", 7), ("run b", 10)]),
        ("A", 9, [("run a", 9)]),
    ]
    assert [(st["script"], st["line"]) for st in res.data["steps"]] == [("from a function", 14)]


def test_slashy_regex_and_division():
    res = load_ok(
        "node {\n"
        "  if (env.BRANCH_NAME ==~ /release\\/'.*{/) { sh 'release' }\n"
        "  def half = total / 2\n"
        "  sh 'after'\n"
        "}\n"
    )
    assert [(st["script"], st["line"]) for st in res.data["steps"]] == [("release", 2), ("after", 4)]


def test_lexer_positions():
    toks = tokenize("x = '''a\nb'''\ny")
    assert [(t.kind, t.value, t.line, t.end_line) for t in toks][2:] == [(STR, "a\nb", 1, 2), ("ident", "y", 3, 3)]


# --- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("pipeline {\n  stages {\n    stage('a') {\n      steps { sh 'oops }\n    }\n  }\n}\n", 4,
         "unterminated string"),
        ('node {\n  sh """\n  echo\n}\n', 2, 'unterminated string (opened with """)'),
        ("node {\n  sh '''\n  echo\n}\n", 2, "unterminated string (opened with ''')"),
        ('node {\n  sh "echo ${x"\n}\n', 2, "unterminated"),
        ("node {\n  /* never closed\n}\n", 2, "unterminated /* comment"),
        ("node {\n}\n}\n", 3, "unexpected '}'"),
        ("node {\n  sh('x'\n}\n", 2, "'(' opened on line 2 is closed by '}'"),
        ("pipeline {\n  stages {\n    stage('a') { steps { sh 'x' } }\n", 2, "'{' is never closed"),
    ],
)
def test_malformed_input_is_an_error_at_its_line(text, line, words):
    error = error_of(text)
    assert error.line == line
    assert words in error.message
    assert error.file == "Jenkinsfile"


def test_empty_file_is_skipped():
    result = jenkinsfile.load("// nothing here\n\n", "Jenkinsfile")
    assert result.resources == [] and result.errors == []
    assert [(s.line, s.reason) for s in result.skipped] == [(1, "empty Jenkinsfile (nothing but whitespace and comments)")]


@pytest.mark.parametrize("text", ["sh", "sh(", "sh 'a' 'b'", "stage(", "stage", "}{", "'", "\"${", "sh sh sh",
                                  "environment { = }", "catchError(buildResult: ) { sh 'x' }", "stage() { }"])
def test_garbage_never_raises(text):
    result = jenkinsfile.load(text, "Jenkinsfile")
    assert len(result.resources) + len(result.errors) == 1
