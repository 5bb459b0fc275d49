"""The Dockerfile loader: stages, ARG expansion, effective users and exact lines."""

from __future__ import annotations

from pathlib import Path

from astra_guard.loaders import dockerfile
from astra_guard.loaders.dockerfile import expand, load
from astra_guard.model import Span

SEED = Path(__file__).resolve().parents[2] / "examples" / "astradesk-seed" / "docker" / "Dockerfile"

MULTI_STAGE = """\
# syntax=docker/dockerfile:1
ARG BASE=python:3.13-slim
ARG RUNTIME_TAG
FROM ${BASE} AS builder
USER 1000
RUN pip wheel .
FROM builder AS test
RUN pytest
FROM --platform=$BUILDPLATFORM docker.io/library/alpine:${RUNTIME_TAG:-3.20} AS final
USER 10001
USER root
COPY --from=builder /w /w
RUN apk add \\
      curl \\
      jq
USER app
CMD ["app"]
"""


def _only(text: str, file: str = "Dockerfile") -> dict:
    result = load(text, file)
    assert result.errors == []
    assert len(result.resources) == 1
    return result.resources[0].data


def test_seed_dockerfile() -> None:
    result = load(SEED.read_text(encoding="utf-8"), "docker/Dockerfile")
    assert result.errors == []
    (resource,) = result.resources
    assert (resource.family, resource.kind) == ("dockerfile", "Dockerfile")
    assert resource.name == "docker/Dockerfile"
    data = resource.data
    assert data["final_stage"] == 0
    assert data["args"] == {}
    (stage,) = data["stages"]
    assert stage["index"] == 0
    assert stage["name"] is None
    assert stage["from"] == {
        "image": "python:3.13-slim", "raw": "python:3.13-slim", "platform": None, "stage_ref": None,
    }
    assert stage["user"] == "10001:10001"
    assert stage["user_instruction"] == 12
    assert stage["instructions"][12] == {
        "cmd": "USER", "value": "10001:10001", "line": 26, "end_line": 26,
    }
    assert stage["last_root_step"] == 11
    assert stage["instructions"][11] == {
        "cmd": "RUN", "value": "useradd -u 10001 -m astradesk", "line": 25, "end_line": 25,
    }
    assert [i["cmd"] for i in stage["instructions"]] == [
        "FROM", "ENV", "RUN", "WORKDIR", "COPY", "RUN", "COPY", "COPY", "COPY", "COPY", "COPY",
        "RUN", "USER", "ENV", "CMD",
    ]
    spans = resource.spans
    assert spans[("stages", 0)] == Span("docker/Dockerfile", 2, 1, 2, 22)
    assert spans[("stages", 0, "from")].line == 2
    assert spans[("stages", 0, "from", "image")].line == 2
    assert spans[("stages", 0, "user")] == Span("docker/Dockerfile", 26, 1, 26, 17)
    assert spans[("stages", 0, "instructions", 11)].line == 25
    # The continued RUN on lines 9-11 keeps its first line; ENV on 4-6 likewise.
    assert spans[("stages", 0, "instructions", 2)] == Span("docker/Dockerfile", 9, 1, 11, 32)
    assert stage["instructions"][1]["line"] == 4 and stage["instructions"][1]["end_line"] == 6
    assert stage["instructions"][14]["line"] == 30
    user_path = ("stages", 0, "user")
    assert resource.locate(user_path) == (spans[user_path], user_path)


def test_multi_stage_args_and_users() -> None:
    result = load(MULTI_STAGE, "Dockerfile")
    assert result.errors == []
    (resource,) = result.resources
    data, spans = resource.data, resource.spans
    assert data["args"] == {"BASE": "python:3.13-slim", "RUNTIME_TAG": None}
    assert spans[("args", "BASE")].line == 2
    assert spans[("args", "RUNTIME_TAG")].line == 3
    assert data["final_stage"] == 2
    builder, test, final = data["stages"]

    assert builder["name"] == "builder"
    assert builder["from"] == {
        "image": "python:3.13-slim", "raw": "${BASE}", "platform": None, "stage_ref": None,
    }
    assert builder["user"] == "1000"
    assert builder["user_instruction"] == 1
    assert builder["last_root_step"] is None  # the RUN comes after USER 1000
    assert spans[("stages", 0, "user")].line == 5

    assert test["name"] == "test"
    assert test["from"] == {"image": "builder", "raw": "builder", "platform": None, "stage_ref": 0}
    assert test["user"] == "1000"  # inherited from the builder stage
    assert test["user_instruction"] is None
    assert test["last_root_step"] is None
    assert spans[("stages", 1, "user")].line == 5  # the USER that set it, in the parent stage
    assert spans[("stages", 1)].line == 7

    assert final["name"] == "final"
    assert final["from"] == {
        "image": "docker.io/library/alpine:3.20",
        "raw": "docker.io/library/alpine:${RUNTIME_TAG:-3.20}",
        "platform": "$BUILDPLATFORM",
        "stage_ref": None,
    }
    assert [(i["cmd"], i["line"], i["end_line"]) for i in final["instructions"]] == [
        ("FROM", 9, 9), ("USER", 10, 10), ("USER", 11, 11), ("COPY", 12, 12), ("RUN", 13, 15),
        ("USER", 16, 16), ("CMD", 17, 17),
    ]
    assert final["instructions"][4]["value"] == "apk add       curl       jq"
    assert final["user"] == "app"
    assert final["user_instruction"] == 5
    assert final["last_root_step"] == 4  # USER root after the numeric user: COPY and RUN as root
    assert spans[("stages", 2, "instructions", 4)] == Span("Dockerfile", 13, 1, 15, 9)
    assert spans[("stages", 2, "user")].line == 16


def test_never_set_user_is_none_and_every_step_is_root() -> None:
    data = _only("FROM alpine:3.20\nRUN apk add curl\nCOPY a /a\nCMD [\"sh\"]\n")
    (stage,) = data["stages"]
    assert stage["user"] is None
    assert stage["user_instruction"] is None
    assert stage["last_root_step"] == 2


def test_user_root_after_numeric_user() -> None:
    data = _only("FROM alpine\nUSER 1000:1000\nRUN id\nUSER root\nRUN apk add curl\n")
    (stage,) = data["stages"]
    assert stage["user"] == "root"
    assert stage["user_instruction"] == 3
    assert stage["last_root_step"] == 4


def test_scratch_and_stage_ref_only_to_earlier_stages() -> None:
    data = _only("FROM scratch AS base\nCOPY app /app\nFROM base\nFROM later AS later\n")
    assert data["stages"][0]["from"] == {
        "image": "scratch", "raw": "scratch", "platform": None, "stage_ref": None,
    }
    assert data["stages"][1]["from"]["stage_ref"] == 0
    assert data["stages"][2]["from"]["stage_ref"] is None


def test_expand() -> None:
    args = {"A": "a", "B": "b", "EMPTY": "", "UNSET": None}
    assert expand("$A/${B}:${UNSET:-x}-${D}-$D", args) == "a/b:x-${D}-$D"
    assert expand("${EMPTY:-fallback}", args) == "fallback"
    assert expand("${A:+yes}${EMPTY:+no}${UNSET:+kept}", args) == "yes${UNSET:+kept}"


def test_global_arg_defaults_expand_earlier_args() -> None:
    data = _only('ARG REG=ghcr.io\nARG IMAGE="${REG}/app" TAG=1.0\nFROM ${IMAGE}:${TAG}\n')
    assert data["args"] == {"REG": "ghcr.io", "IMAGE": "ghcr.io/app", "TAG": "1.0"}
    assert data["stages"][0]["from"]["image"] == "ghcr.io/app:1.0"


def test_heredocs_keep_lines_and_are_not_instructions() -> None:
    text = (
        "FROM alpine\n"
        "RUN <<EOF\n"
        "apk add curl\n"
        "# a shell comment\n"
        "USER root\n"
        "EOF\n"
        "USER 1000\n"
        "COPY <<-A <<B /dst/\n"
        "\ta\n"
        "\tA\n"
        "b\n"
        "B\n"
        "RUN echo done\n"
    )
    (stage,) = _only(text)["stages"]
    assert [(i["cmd"], i["line"], i["end_line"]) for i in stage["instructions"]] == [
        ("FROM", 1, 1), ("RUN", 2, 6), ("USER", 7, 7), ("COPY", 8, 12), ("RUN", 13, 13),
    ]
    body = "<<EOF\napk add curl\n# a shell comment\nUSER root\nEOF"
    assert stage["instructions"][1]["value"] == body
    assert stage["user"] == "1000"
    assert stage["last_root_step"] == 1


def test_heredoc_body_line_ending_in_a_backslash() -> None:
    text = (
        "FROM alpine\n"
        "RUN <<EOF\n"
        "apk add \\\n"
        "EOF\n"
        "# escape=`\n"
        "USER 1000\n"
        "RUN echo a \\\n"
        "    b\n"
    )
    (stage,) = _only(text)["stages"]
    assert [(i["cmd"], i["line"], i["end_line"]) for i in stage["instructions"]] == [
        ("FROM", 1, 1), ("RUN", 2, 4), ("USER", 6, 6), ("RUN", 7, 8),
    ]
    assert stage["instructions"][1]["value"] == "<<EOF\napk add \\\nEOF"


def test_unclosed_heredoc_is_an_error() -> None:
    result = load("FROM alpine\nRUN <<EOF\necho hi\n", "Dockerfile")
    assert [(e.line, e.message) for e in result.errors] == [(2, "heredoc <<EOF is never closed")]


def test_empty_line_inside_continuation() -> None:
    (stage,) = _only("FROM alpine\nRUN apk add \\\n\n    curl\nUSER 1\n")["stages"]
    assert [(i["cmd"], i["line"], i["end_line"]) for i in stage["instructions"]] == [
        ("FROM", 1, 1), ("RUN", 2, 4), ("USER", 5, 5),
    ]
    assert "curl" in stage["instructions"][1]["value"]


def test_escape_directive_and_crlf() -> None:
    text = (
        "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore\r\n"
        "RUN dir `\r\n    c:\\\r\nUSER ContainerUser\r\n"
    )
    (stage,) = _only(text)["stages"]
    assert [(i["cmd"], i["line"], i["end_line"]) for i in stage["instructions"]] == [
        ("FROM", 2, 2), ("RUN", 3, 4), ("USER", 5, 5),
    ]


def test_lines_are_counted_as_editors_count_them() -> None:
    text = "# form\x0cfeed and \u2028 separator\nFROM alpine\rUSER 1\n"
    (stage,) = _only(text)["stages"]
    assert [(i["cmd"], i["line"]) for i in stage["instructions"]] == [("FROM", 2), ("USER", 3)]


def test_no_from_is_an_input_error() -> None:
    result = load("# just a comment\nRUN echo hi\n", "notes/Dockerfile")
    assert result.resources == []
    assert result.errors[-1].line == 1
    assert result.errors[-1].message.startswith("no FROM instruction: not a Dockerfile")
    assert load("", "Dockerfile").errors[0].message.startswith("no FROM instruction")


def test_instruction_before_from_and_unknown_instruction() -> None:
    result = load("ARG V=1\nENV X=1\nFROM alpine:${V}\nFOO bar\nRUN true\n", "Dockerfile")
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "ENV before the first FROM: only ARG may come before FROM"),
        (4, "unknown instruction 'FOO'"),
    ]
    (resource,) = result.resources
    assert resource.data["stages"][0]["from"]["image"] == "alpine:1"


def test_malformed_from() -> None:
    result = load("FROM alpine extra\n", "Dockerfile")
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "FROM expects '[--platform=...] IMAGE [AS NAME]'"),
    ]


def test_parser_exception_becomes_input_error(monkeypatch) -> None:
    def boom(lines, escape):
        raise RuntimeError("parser broke")

    monkeypatch.setattr(dockerfile, "_structure", boom)
    result = load("FROM alpine\n", "Dockerfile")
    assert result.resources == []
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "could not parse the Dockerfile: RuntimeError: parser broke"),
    ]
