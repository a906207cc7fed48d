"""The GitHub Actions workflow and the build container it runs in.

The workflow passes actionlint (and actionlint rejects a broken one); each
of its build steps runs a make target in the build container
(tools/container/run), and every such target exists and is exercised by
this suite, so that what CI does, a contributor can run and the tests have
run. "Exercised" means, concretely: reached from what .ci/run runs (the
README's test command) or from a make target a test runs, through
prerequisites and recursive $(MAKE) calls; or made only of such targets
and the removal of build outputs (`make release` is `rm -rf` of the build
state, then `make test`, then `make pack`, and tests/test_reproducible.py
runs `make book pack`).

Docker is not on the book's machines, so the container is checked as
text: its base is the Debian and the Node.js major version of the machine
these tests run on, it installs through tools/setup.sh, and the workflow,
the README and setup.sh's failure message all name the one way to run it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
CONTAINER = ROOT / "tools" / "container"
ACTIONLINT = ROOT / ".venv" / "bin" / "actionlint"
IN_CONTAINER = "tools/container/run make "
# Steps that publish what a make target built: the only other commands.
PUBLISHING = ("gh release create ",)


def actionlint(folder: Path) -> subprocess.CompletedProcess:
    # shellcheck and pyflakes switched off: whether they are installed
    # must not change the verdict (the run: steps are one-line commands).
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", "-shellcheck=", "-pyflakes=",
         *sorted(str(p) for p in folder.glob(".github/workflows/*.yml"))],
        cwd=folder, capture_output=True, text=True, check=False)


def test_actionlint_passes_the_workflow():
    assert WORKFLOW.is_file()
    result = actionlint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


BREAKAGES = {
    "an input the action does not have": (
        "      - uses: actions/checkout@v5\n",
        "      - uses: actions/checkout@v5\n        with:\n"
        "          fetch-dept: 0\n"),
    "a job that needs a job that does not exist": (
        "    needs: release\n", "    needs: no-such-job\n"),
    "an unknown context in an expression": (
        "${{ github.repository }}", "${{ github.no_such_field }}"),
    "a step output that no step sets": (
        "steps.deployment.outputs.page_url",
        "steps.deploy.outputs.page_url"),
    "an unknown event": ("  pull_request:\n", "  pull-request:\n"),
}


@pytest.mark.parametrize("old,new", BREAKAGES.values(), ids=BREAKAGES)
def test_actionlint_rejects_a_broken_workflow(tmp_path, old, new):
    text = WORKFLOW.read_text()
    assert old in text
    broken = tmp_path / ".github" / "workflows" / "book.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text.replace(old, new, 1))
    result = actionlint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "book.yml:" in result.stdout


def workflow_commands() -> list[str]:
    data = yaml.safe_load(WORKFLOW.read_text())
    return [" ".join(step["run"].split())
            for job in data["jobs"].values()
            for step in job.get("steps", []) if "run" in step]


def workflow_targets() -> list[str]:
    targets = []
    for command in workflow_commands():
        if command.startswith(IN_CONTAINER):
            words = command[len(IN_CONTAINER):].split()
            targets += [w for w in words if not w.startswith("-")]
        else:
            assert command.startswith(PUBLISHING), (
                f"a workflow step runs {command!r}: build and check steps "
                f"run `{IN_CONTAINER}<target>`")
    return targets


def makefile_rules() -> dict[str, tuple[list[str], list[str]]]:
    """target -> (prerequisites, recipe lines) of the Makefile."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    current = None
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and current:
            rules[current][1].append(line.strip())
            continue
        match = re.match(r"^([a-z][a-z-]*):(?!=)(.*)$", line)
        current = match.group(1) if match else None
        if current:
            prerequisites = match.group(2).split("##")[0].split()
            rules[current] = (prerequisites, [])
    return rules


def sub_makes(recipe: list[str]) -> list[str]:
    targets = []
    for line in recipe:
        for call in re.findall(r"\$\(MAKE\)(.*)", line):
            targets += [w for w in call.split()
                        if not w.startswith(("-", "$")) and "=" not in w]
    return targets


def targets_tests_run() -> set[str]:
    """Make targets the tests run: make(project, "x") (mini_project.py)
    and literal command lists such as ["unshare", "--net", "make", ...]."""
    found = set()
    for path in (ROOT / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call)
                    and getattr(node.func, "id", "") == "make"
                    and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant)):
                found.add(node.args[1].value)
            if isinstance(node, ast.List):
                words = [e.value for e in node.elts
                         if isinstance(e, ast.Constant)
                         and isinstance(e.value, str)]
                if "make" in words:
                    found.update(w for w in words[words.index("make") + 1:]
                                 if not w.startswith("-"))
    return found


def exercised() -> set[str]:
    rules = makefile_rules()
    ci = (ROOT / ".ci" / "run").read_text()
    roots = set(re.findall(r"^make (\S+)", ci, re.M)) | targets_tests_run()
    reached, todo = set(), [t for t in roots if t in rules]
    while todo:
        target = todo.pop()
        if target in reached:
            continue
        reached.add(target)
        prerequisites, recipe = rules[target]
        todo += [t for t in prerequisites + sub_makes(recipe) if t in rules]
    for target, (prerequisites, recipe) in rules.items():
        parts = prerequisites + sub_makes(recipe)
        rest = [line for line in recipe if "$(MAKE)" not in line]
        if (parts and all(p in reached for p in parts)
                and all(re.match(r"rm -rf( \$\(BUILD\)\S*| \$\(WORK\))+$",
                                 line) for line in rest)):
            reached.add(target)
    return reached


def test_the_workflow_runs_only_make_targets_the_suite_exercises():
    targets = workflow_targets()
    assert "test" in targets and "release" in targets, targets
    rules = makefile_rules()
    done = exercised()
    for target in targets:
        assert target in rules, f"make {target}: no such target"
        assert target in done, f"make {target}: the test suite never runs it"


def test_the_exercised_check_has_teeth():
    done = exercised()
    assert {"test", "book", "pack", "html", "doctest", "setup",
            "release"} <= done
    # Nothing runs these: a workflow calling one would be refused.
    assert not {"live", "bench", "clean"} & done


def test_the_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def os_release() -> dict[str, str]:
    text = Path("/etc/os-release").read_text()
    return dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', text, re.M))


def test_the_container_is_the_machines_debian_and_node():
    containerfile = (CONTAINER / "Containerfile").read_text()
    base = re.search(r"^FROM (\S+)$", containerfile, re.M).group(1)
    match = re.fullmatch(r"docker\.io/library/node:(\d+)-(\w+)-slim", base)
    assert match, base
    node_major, codename = match.groups()
    machine = os_release()
    if machine.get("ID") == "debian":
        assert codename == machine["VERSION_CODENAME"], (codename, machine)
    node = shutil.which("node")
    if node:
        version = subprocess.run([node, "--version"], capture_output=True,
                                 text=True, check=True).stdout
        assert version.startswith(f"v{node_major}."), version


def test_the_container_installs_through_setup_sh():
    containerfile = (CONTAINER / "Containerfile").read_text()
    assert re.search(r"^RUN bash tools/setup\.sh", containerfile, re.M)
    # The build context lets in exactly what the COPY lines name.
    copied = {name for line in re.findall(r"^COPY (.+) \S+$",
                                          containerfile, re.M)
              for name in line.split()}
    allowed = {line[1:] for line in
               (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert copied == allowed, (copied, allowed)
    for name in copied:
        assert (ROOT / name).is_file(), name
    run = (CONTAINER / "run").read_text()
    assert "--file tools/container/Containerfile" in run


def test_everyone_is_pointed_at_the_same_container():
    command = "tools/container/run"
    assert command in (ROOT / "tools" / "setup.sh").read_text()
    readme = (ROOT / "README.md").read_text()
    assert f"{command} make book" in readme
    assert f"{command} make test" in readme
    assert all(c.startswith(IN_CONTAINER) for c in workflow_commands()
               if not c.startswith(PUBLISHING))
