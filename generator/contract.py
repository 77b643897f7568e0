"""What a scenario folder must provide: the contract, as data, and a static check of it.

A use case is one folder, `scenarios/<name>/`. Everything the rest of the repository relies on
is declared here, once:

- `SCENARIO_KEYS`: the keys of `scenario.yml` and their types (the generator reads them for
  `mlops-new list`; copier.yml derives `task`, `forecasting` and `model_card` from them; the
  tests, the benchmarks and README.md's table read the rest);
- `CAPABILITIES`: what a scenario may add to the common template, and what it then owes;
- `REQUIRED_FILES`: the slots the common template includes;
- `MODULES`: the constants, classes and functions `src/simulate.py` and `src/features.py`
  must define, with their annotations.

`check_scenario(folder)` checks a folder against all of it without importing its code (the
generator's environment has no pandas): the modules are read with `ast`. tests/test_scenarios.py
runs it on every folder before anything is rendered; docs/scenarios.md explains the contract.
Annotations are compared as written (`ast.unparse`), so the check is about what a scenario
declares, which is what a reader and a type checker see; the scenario's own tests and the
rendered project's tests check what the code does.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "CAPABILITIES",
    "MODULES",
    "REQUIRED_FILES",
    "SCENARIO_KEYS",
    "WORKSHOP_KEYS",
    "check_metadata",
    "check_scenario",
]


# --- scenario.yml ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of scenario.yml: its type, and whether it may be null."""

    type: type
    meaning: str
    nullable: bool = False


SCENARIO_KEYS: dict[str, Key] = {
    "name": Key(str, "the folder's name (copier.yml's `!include` sees files, not folders)"),
    "title": Key(str, "a few words: `Fraud detection`"),
    "domain": Key(str, "one word: `finance`"),
    "summary": Key(str, "one sentence for `mlops-new list` and the CLI's help"),
    "tagline": Key(str, "a few words copier shows after the name: `score payment transactions`"),
    "readme_summary": Key(str, "README.md's use-case table: what the model does"),
    "task": Key(str, "the kind of prediction, a folder of templates/tasks/: binary, regression"),
    "capabilities": Key(list, "what the scenario adds to the common template (CAPABILITIES)"),
    "real_dataset": Key(str, "the public dataset config/real_data.yaml is written for", True),
    "real_dataset_label": Key(str, "the same in a few words, for README.md's table", True),
    "real_dataset_file": Key(str, "its file under ../shared/datasets (tests, benchmarks)", True),
    "headline_metric": Key(
        dict, "{name, higher_is_better}: the metric benchmarks judge the model by", True
    ),
    "available": Key(bool, "false for a planned use case that cannot be generated yet"),
    "workshop": Key(
        dict,
        "the workshop kit's exercises in the domain's words (WORKSHOP_KEYS); null: no kit",
        True,
    ),
}

WORKSHOP_KEYS: dict[str, str] = {
    "row": "what one row of the data is, in the domain's words: `payment`",
    "rows": "the same, plural: `payments`",
    "history": "lab 2's past-only feature: {entity: [columns], entity_name, value, feature}",
    "drift": "lab 7's drifting column: {column, where?}, numeric, shifted by drifted traffic "
    "(in the rows matching `where`, {column: value}, when given)",
}
"""The keys of scenario.yml's `workshop` mapping (labs/kit.yaml in a workshop kit)."""


@dataclass(frozen=True)
class Capability:
    """Something the common template does only for the scenarios that declare it (copier.yml
    derives a bool of the same name); what it adds, and the files it needs of the scenario."""

    meaning: str
    files: tuple[str, ...] = ()


CAPABILITIES: dict[str, Capability] = {
    "forecasting": Capability(
        "a rolling-origin backtest, the `forecast` job and the service's `/forecast` endpoint; "
        "src/features.py then also provides the forecasting functions of MODULES"
    ),
    "model_card": Capability(
        "a hand-written MODEL_CARD.md (intended use, subgroups, limitations)",
        files=("docs/model_card.md",),
    ),
}


def check_metadata(meta: object, folder: str) -> list[str]:
    """What is wrong with a scenario.yml's contents (`meta`), for the folder `folder`."""
    if not isinstance(meta, dict):
        return [f"must be a mapping with the keys {', '.join(SCENARIO_KEYS)}"]
    problems = []
    missing = [key for key in SCENARIO_KEYS if key not in meta]
    if missing:
        problems.append(f"lacks {', '.join(missing)}")
    unknown = sorted(str(key) for key in meta if key not in SCENARIO_KEYS)
    if unknown:
        problems.append(
            f"has unknown keys {', '.join(unknown)} (known: {', '.join(SCENARIO_KEYS)})"
        )
    for key, spec in SCENARIO_KEYS.items():
        value = meta.get(key)
        if key not in meta or (value is None and spec.nullable):
            continue
        if not isinstance(value, spec.type) or (spec.type is not bool and isinstance(value, bool)):
            null = " or null" if spec.nullable else ""
            problems.append(
                f"`{key}` must be a {_type_name(spec.type)}{null}, not {value!r} ({spec.meaning})"
            )
    if isinstance(meta.get("name"), str) and meta["name"] != folder:
        problems.append(f"`name` is {meta['name']!r} but the folder is {folder!r}; they must agree")
    capabilities = meta.get("capabilities")
    if isinstance(capabilities, list):
        unknown_capabilities = [c for c in capabilities if c not in CAPABILITIES]
        if unknown_capabilities:
            problems.append(
                f"`capabilities` names unknown {', '.join(map(repr, unknown_capabilities))} "
                f"(known: {', '.join(CAPABILITIES)})"
            )
    workshop = meta.get("workshop")
    if isinstance(workshop, dict) and sorted(workshop) != sorted(WORKSHOP_KEYS):
        problems.append(
            f"`workshop` has the keys {', '.join(sorted(map(str, workshop)))}; it must have "
            f"exactly {', '.join(WORKSHOP_KEYS)} ({'; '.join(WORKSHOP_KEYS.values())})"
        )
    metric = meta.get("headline_metric")
    if isinstance(metric, dict) and not (
        set(metric) == {"name", "higher_is_better"}
        and isinstance(metric["name"], str)
        and isinstance(metric["higher_is_better"], bool)
    ):
        problems.append(
            f"`headline_metric` must be {{name: <metric>, higher_is_better: true|false}}, "
            f"not {metric!r}"
        )
    return problems


def _type_name(kind: type) -> str:
    return {str: "string", list: "list", dict: "mapping", bool: "boolean"}[kind]


# --- the slots -------------------------------------------------------------------------------

REQUIRED_FILES: tuple[str, ...] = (
    "scenario.yml",
    "src/simulate.py",
    "src/features.py",
    "config/pipeline.yaml",
    "config/real_data.yaml",
    "docs/problem.md",
    "docs/data_protection.md",
    "examples/request.json",
    "tests/test_simulate.py",
    "tests/test_features.py",
)

# Scenario files are rendered by Jinja: its delimiters are allowed only as `{{ package_name }}`.
_JINJA = re.compile(r"\{\{ package_name \}\}|(\{\{|\{%|\{#)")


# --- src/simulate.py and src/features.py ----------------------------------------------------

HISTORY = "<History>"
"""Stands for the class `new_history` returns, whatever the scenario calls it."""

SETTINGS = ("dict", "dict | None")
"""A parameter that takes `data.feature_settings`."""


@dataclass(frozen=True)
class Constant:
    """A module-level name. Annotated, the annotation must be one of `annotations`; a literal
    value must be a `literal` (when given) and, for a dict, hold `keys`."""

    name: str
    annotations: tuple[str, ...]
    literal: type | None = None
    keys: tuple[str, ...] = ()
    pairs: bool = False
    """Each value of the dict literal is a tuple of two."""
    annotated: bool = False
    """The annotation is required (the value may be computed)."""


@dataclass(frozen=True)
class Param:
    """A parameter and its accepted annotations. A positional parameter's name is the
    contract's word for it (the scenario may use its own: `n_customers` for `population`); a
    keyword-only parameter's name is checked, since callers pass it by name."""

    name: str
    annotations: tuple[str, ...]
    default: bool = False
    """Required to have a default (keyword-only parameters)."""


@dataclass(frozen=True)
class Function:
    """A module-level function. Positional parameters are matched by position (their names are
    the scenario's: `population` may be `n_customers`); further parameters need defaults."""

    name: str
    params: tuple[Param, ...]
    returns: tuple[str, ...]
    keyword_only: tuple[Param, ...] = ()
    capability: str | None = None
    """Required only of scenarios that declare this capability."""


@dataclass(frozen=True)
class Record:
    """A `NamedTuple` class whose fields are all annotated `annotation`, `fields` of them."""

    name: str
    fields: int
    annotation: str


@dataclass(frozen=True)
class HistoryClass:
    """The class `new_history` returns: defined in the module, with these methods."""

    methods: tuple[str, ...]


MODULES: dict[str, tuple[Constant | Function | Record | HistoryClass, ...]] = {
    "src/simulate.py": (
        Constant(
            "SIZES",
            ("dict[str, tuple[int, int]]",),
            dict,
            keys=("small", "medium", "large"),
            pairs=True,
        ),
        Constant("PRODUCTION_DAYS", ("int",), int),
        Record("Simulation", 2, "pd.DataFrame"),
        Function(
            "simulate",
            (Param("population", ("int",)), Param("days", ("int",))),
            ("Simulation",),
            keyword_only=(
                Param("seed", ("int",), default=True),
                Param("start", ("str",), default=True),
                Param("drift", ("bool",), default=True),
            ),
        ),
    ),
    "src/features.py": (
        Constant("KIND", ("str",), str),
        Constant("ENTITY", ("str",), str),
        Constant("REQUIRED_COLUMNS", ("tuple[str, ...]",), annotated=True),
        Function("feature_names", (Param("settings", SETTINGS),), ("list[str]",)),
        Function("new_history", (Param("settings", SETTINGS),), (HISTORY,)),
        Function("history_from_dict", (Param("data", ("dict",)),), (HISTORY,)),
        Function(
            "engineer_features",
            (Param("frame", ("pd.DataFrame",)), Param("history", (HISTORY,))),
            ("pd.DataFrame",),
        ),
        Function(
            "last_seen",
            (Param("frame", ("pd.DataFrame",)), Param("history", (HISTORY,))),
            ("pd.Series",),
        ),
        Function(
            "row_features",
            (Param("row", ("dict",)), Param("history", (HISTORY,))),
            ("list[float]",),
        ),
        Function(
            "row_last_seen",
            (Param("row", ("dict",)), Param("history", (HISTORY,))),
            ("datetime | None",),
        ),
        Function(
            "state_keys",
            (Param("row", ("dict",)), Param("history", (HISTORY,))),
            ("list[str]",),
        ),
        Function("state_key_list", (Param("history", (HISTORY,)),), ("list[str]",)),
        Function("get_state", (Param("history", (HISTORY,)), Param("key", ("str",))), ("Any",)),
        Function(
            "set_state",
            (Param("history", (HISTORY,)), Param("key", ("str",)), Param("state", ("Any",))),
            ("None",),
        ),
        HistoryClass(("to_dict",)),
        Function(
            "validated_settings",
            (Param("settings", SETTINGS),),
            ("dict",),
            capability="forecasting",
        ),
        Function(
            "periods",
            (Param("frame", ("pd.DataFrame",)), Param("settings", SETTINGS)),
            ("np.ndarray",),
            capability="forecasting",
        ),
        Function(
            "series_keys",
            (Param("frame", ("pd.DataFrame",)), Param("settings", SETTINGS)),
            ("np.ndarray",),
            capability="forecasting",
        ),
        Function(
            "last_actuals",
            (Param("history", (HISTORY,)),),
            ("dict[str, int]",),
            capability="forecasting",
        ),
        Function(
            "row_periods_ahead",
            (Param("row", ("dict",)), Param("history", (HISTORY,))),
            ("int | None",),
            capability="forecasting",
        ),
    ),
}


# --- the check -------------------------------------------------------------------------------


def check_scenario(folder: Path) -> list[str]:
    """Every way the scenario folder `folder` breaks the contract, each naming the file.

    A folder whose scenario.yml says `available: false` (planned) is checked for its
    scenario.yml only. `folder` is `<template root>/scenarios/<name>`; the task is looked for
    in `<template root>/templates/tasks/`.
    """
    root = folder.parent.parent
    where = f"scenarios/{folder.name}"
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    problems = [f"{where}/{f}: missing (every scenario provides it)" for f in missing]
    if "scenario.yml" in missing:
        return problems
    try:
        meta = yaml.safe_load((folder / "scenario.yml").read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return [*problems, f"{where}/scenario.yml: not valid YAML: {error}"]
    problems += [f"{where}/scenario.yml: {p}" for p in check_metadata(meta, folder.name)]
    if not isinstance(meta, dict):
        return problems
    task = meta.get("task")
    if isinstance(task, str):
        problems += _check_task(root, task, meta.get("headline_metric"), f"{where}/scenario.yml")
    if meta.get("available") is False:
        return problems
    capabilities = meta.get("capabilities")
    declared = set(capabilities) if isinstance(capabilities, list) else set()
    for name in sorted(declared & set(CAPABILITIES)):
        problems += [
            f"{where}/{f}: missing (the {name} capability needs it)"
            for f in CAPABILITIES[name].files
            if not (folder / f).is_file()
        ]
    for relative, items in MODULES.items():
        if relative not in missing:
            problems += [
                f"{where}/{relative}: {p}"
                for p in _check_module(folder / relative, items, declared)
            ]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        problems += _check_jinja(path, f"{where}/{path.relative_to(folder).as_posix()}")
    return problems


def _check_task(root: Path, task: str, metric: object, where: str) -> list[str]:
    tasks = root / "templates" / "tasks"
    if not (tasks / task).is_dir():
        folders = sorted(p.name for p in tasks.iterdir() if p.is_dir()) if tasks.is_dir() else []
        known = ", ".join(folders) or "none"
        return [f"{where}: `task` is {task!r}, not a folder of templates/tasks/ ({known})"]
    if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
        return []
    metrics = _task_metrics(tasks / task)
    if metrics is None:
        return [f"{where}: templates/tasks/{task}/ defines no METRICS to check `headline_metric`"]
    name = metric["name"]
    if name not in metrics:
        return [
            f"{where}: `headline_metric` {name!r} is not a metric of the {task} task "
            f"({', '.join(metrics)})"
        ]
    if metrics[name] is not None and metrics[name] != metric.get("higher_is_better"):
        return [
            f"{where}: `headline_metric` says higher_is_better: {metric.get('higher_is_better')} "
            f"but the {task} task's METRICS says {metrics[name]} for {name!r}"
        ]
    return []


def _task_metrics(folder: Path) -> dict[str, bool | None] | None:
    """The task's `METRICS = {"name": Metric("title", higher_is_better), ...}`: name ->
    higher_is_better (None when not a literal); None when no module of the task defines it."""
    for path in sorted(folder.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target, value = _assignment(node)
            if target != "METRICS" or not isinstance(value, ast.Dict):
                continue
            metrics: dict[str, bool | None] = {}
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    higher = None
                    if isinstance(item, ast.Call) and len(item.args) >= 2:
                        flag = item.args[1]
                        if isinstance(flag, ast.Constant) and isinstance(flag.value, bool):
                            higher = flag.value
                    metrics[key.value] = higher
            return metrics
    return None


def _check_jinja(path: Path, where: str) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    for number, line in enumerate(text.splitlines(), start=1):
        if any(match.group(1) for match in _JINJA.finditer(line)):
            return [
                f"{where}:{number}: Jinja delimiters ({{{{, {{% or {{#}}) other than "
                f"`{{{{ package_name }}}}`; scenario files are rendered by Jinja"
            ]
    return []


def _check_module(
    path: Path, items: tuple[Constant | Function | Record | HistoryClass, ...], declared: set[str]
) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError as error:
        return [f"not valid Python: {error}"]
    functions = {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assignments = {}
    for node in tree.body:
        target, _ = _assignment(node)
        if target is not None:
            assignments[target] = node
    history = _history_class(functions, classes)
    problems = []
    for item in items:
        if isinstance(item, Function) and item.capability and item.capability not in declared:
            continue
        if isinstance(item, Constant):
            problems += _check_constant(item, assignments.get(item.name))
        elif isinstance(item, Record):
            problems += _check_record(item, classes.get(item.name))
        elif isinstance(item, HistoryClass):
            problems += _check_history(item, history, classes)
        else:
            problems += _check_function(item, functions.get(item.name), history)
    return problems


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return node.targets[0].id, node.value
    return None, None


def _annotation(node: ast.expr | None) -> str | None:
    """An annotation as written, a quoted one unquoted: `pd.DataFrame`, `dict | None`."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            return ast.unparse(ast.parse(node.value, mode="eval").body)
        except SyntaxError:
            return node.value
    return ast.unparse(node)


def _expected(annotations: tuple[str, ...], history: str | None) -> tuple[str, ...]:
    return tuple((history or HISTORY) if a == HISTORY else a for a in annotations)


def _either(annotations: tuple[str, ...]) -> str:
    return " or ".join(f"`{a}`" for a in annotations)


def _check_constant(spec: Constant, node: ast.stmt | None) -> list[str]:
    if node is None:
        return [f"`{spec.name}` is not defined (contract: `{spec.name}: {spec.annotations[0]}`)"]
    annotation = _annotation(node.annotation) if isinstance(node, ast.AnnAssign) else None
    value = node.value
    if annotation is not None and annotation not in spec.annotations:
        return [f"`{spec.name}` is annotated `{annotation}`, not {_either(spec.annotations)}"]
    if annotation is None and spec.annotated:
        return [f"`{spec.name}` must be annotated {_either(spec.annotations)}"]
    literal = _literal_type(value)
    if spec.literal is not None and annotation is None and literal is not spec.literal:
        return [
            f"`{spec.name}` must be annotated {_either(spec.annotations)} or assigned a "
            f"{spec.literal.__name__} literal"
        ]
    if spec.literal is not None and literal is not None and literal is not spec.literal:
        return [f"`{spec.name}` is a {literal.__name__}, not a {spec.literal.__name__}"]
    if isinstance(value, ast.Dict):
        keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
        absent = [k for k in spec.keys if k not in keys]
        if absent:
            return [f"`{spec.name}` lacks the keys {', '.join(map(repr, absent))}"]
        if spec.pairs and not all(
            isinstance(v, ast.Tuple) and len(v.elts) == 2 for v in value.values
        ):
            return [f"`{spec.name}`'s values must be pairs `(population, days)`"]
    return []


def _literal_type(node: ast.expr | None) -> type | None:
    if isinstance(node, ast.Dict):
        return dict
    if isinstance(node, ast.Tuple):
        return tuple
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        return type(node.value)
    return None


def _check_record(spec: Record, node: ast.ClassDef | None) -> list[str]:
    if node is None:
        return [f"class `{spec.name}(NamedTuple)` is not defined"]
    if not any(ast.unparse(base).split(".")[-1] == "NamedTuple" for base in node.bases):
        return [f"class `{spec.name}` must be a NamedTuple"]
    fields = [s for s in node.body if isinstance(s, ast.AnnAssign)]
    wrong = [
        f"{ast.unparse(f.target)}: {_annotation(f.annotation)}"
        for f in fields
        if _annotation(f.annotation) != spec.annotation
    ]
    if len(fields) != spec.fields or wrong:
        return [
            f"class `{spec.name}` must have {spec.fields} fields annotated `{spec.annotation}`, "
            f"has {len(fields)}" + (f" ({', '.join(wrong)})" if wrong else "")
        ]
    return []


def _history_class(
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], classes: dict[str, ast.ClassDef]
) -> str | None:
    """The class `new_history` returns, when it is one of the module's."""
    node = functions.get("new_history")
    name = _annotation(node.returns) if node is not None else None
    return name if name in classes else None


def _check_history(
    spec: HistoryClass, history: str | None, classes: dict[str, ast.ClassDef]
) -> list[str]:
    if history is None:
        return [
            "`new_history` must be annotated to return a class defined in the module "
            "(the online state of the features)"
        ]
    methods = {n.name for n in classes[history].body if isinstance(n, ast.FunctionDef)}
    absent = [m for m in spec.methods if m not in methods]
    return [f"class `{history}` lacks the methods {', '.join(absent)}"] if absent else []


def _check_function(
    spec: Function, node: ast.FunctionDef | ast.AsyncFunctionDef | None, history: str | None
) -> list[str]:
    signature = _signature(spec, history)
    needed = f" (capability {spec.capability!r})" if spec.capability else ""
    if node is None:
        return [f"`{signature}` is not defined{needed}"]
    if isinstance(node, ast.AsyncFunctionDef):
        return [f"`{spec.name}` must be a plain function, not async; contract: `{signature}`"]
    problems = []
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    if len(positional) < len(spec.params):
        problems.append(f"has {len(positional)} positional parameters, needs {len(spec.params)}")
    for index, (param, arg) in enumerate(zip(spec.params, positional, strict=False), start=1):
        expected = _expected(param.annotations, history)
        annotation = _annotation(arg.annotation)
        if annotation not in expected:
            shown = f"`{annotation}`" if annotation else "not annotated"
            problems.append(
                f"parameter {index} (`{arg.arg}`) is {shown}, the contract says {_either(expected)}"
            )
    extra = [
        a.arg
        for a, d in list(zip(positional, defaults, strict=True))[len(spec.params) :]
        if d is None
    ]
    kwonly = {a.arg: (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)}
    for param in spec.keyword_only:
        if param.name not in kwonly:
            problems.append(f"lacks the keyword-only parameter `{param.name}`")
            continue
        arg, default = kwonly[param.name]
        annotation = _annotation(arg.annotation)
        if annotation not in param.annotations:
            shown = f"`{annotation}`" if annotation else "not annotated"
            expected = _either(param.annotations)
            problems.append(f"parameter `{param.name}` is {shown}, the contract says {expected}")
        if param.default and default is None:
            problems.append(f"parameter `{param.name}` needs a default")
    named = {p.name for p in spec.keyword_only}
    extra += [name for name, (_, d) in kwonly.items() if name not in named and d is None]
    if extra:
        problems.append(
            f"has parameters without defaults beyond the contract's: {', '.join(extra)}"
        )
    returns = _annotation(node.returns)
    expected = _expected(spec.returns, history)
    if returns not in expected:
        shown = f"`{returns}`" if returns else "not annotated"
        problems.append(f"returns {shown}, the contract says {_either(expected)}")
    return [f"`{spec.name}` {p}; contract: `{signature}`{needed}" for p in problems]


def _signature(spec: Function, history: str | None) -> str:
    """The contract's signature, as Python: `def simulate(population: int, ...) -> Simulation`."""
    params = [f"{p.name}: {_expected(p.annotations, history)[0]}" for p in spec.params]
    if spec.keyword_only:
        params.append("*")
        params += [f"{p.name}: {p.annotations[0]} = ..." for p in spec.keyword_only]
    returns = _expected(spec.returns, history)[0]
    return f"def {spec.name}({', '.join(params)}) -> {returns}"
