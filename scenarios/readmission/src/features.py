"""Clinical features of a hospital encounter, for predicting readmission within 30 days.

A discharge summary holds dozens of codes; a clinician reads them as a few facts. The primary
diagnosis is one of about 700 ICD-9 codes, too many to learn from one by one, so it is read
as its group (Strack et al. 2014: circulatory 390-459 and 785, respiratory 460-519 and 786,
digestive 520-579 and 787, diabetes 250.xx, injury 800-999, musculoskeletal 710-739,
genitourinary 580-629 and 788, neoplasms 140-239, everything else, V and E codes included,
"other"). Any of the three diagnoses may reveal a comorbidity that brings patients back: heart
failure (428), kidney disease (403, 404, 584-586), metastatic cancer (196-199) and
uncontrolled diabetes (250.x2, 250.x3). The visit counts add up to how often the patient
needs care; the admission says whether it was an emergency; the discharge whether the patient
went on to a nursing or rehabilitation facility; the drug columns whether insulin or any
diabetes drug was changed during the stay; the lab columns whether HbA1c and glucose were
measured, and whether they were high. The age band becomes its midpoint in years.

The raw counts (length of stay, lab tests, procedures, medications, visits, diagnoses) and
the admission and discharge codes are model inputs as they are: config/pipeline.yaml marks
them ``feature: true``; this module only adds what has to be derived.

With ``patient_history`` (the default), the features also count the patient's earlier
encounters in the data, from a `PatientHistory` keyed by ``patient_nbr``: patients who keep
coming back are the ones at risk. Rows must be in encounter order (the order of the file,
which is encounter_id order); each row is featurised from the history before it and then
added, so that the training set and the service's one-row requests get the same features, and
no row sees a later one. The label ``readmitted`` is never read.

Missing values may come as missing (the pipeline's typed frames) or as the real file's ``?``
code (raw simulator output): both are treated alike.
"""

import functools
import re

import numpy as np
import pandas as pd

MISSING_CODE = "?"

# The name `data.feature_engineering` gives these features in config/pipeline.yaml.
KIND = "encounters"
# What the history is kept per.
ENTITY = "patient"

# The raw columns the features read. The label `readmitted` is not among them.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "patient_nbr",
    "age",
    "admission_type_id",
    "discharge_disposition_id",
    "admission_source_id",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "diag_1",
    "diag_2",
    "diag_3",
    "max_glu_serum",
    "A1Cresult",
    "insulin",
    "change",
    "diabetesMed",
)

# Diagnosis groups of the primary diagnosis, one indicator each ("other" is all zeros).
PRIMARY_GROUPS: tuple[str, ...] = (
    "circulatory",
    "respiratory",
    "digestive",
    "diabetes",
    "injury",
    "musculoskeletal",
    "genitourinary",
    "neoplasms",
)
# (group, first and last three-digit stem of its ranges, and single stems that also belong).
_GROUP_RANGES: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("circulatory", ((390, 459), (785, 785))),
    ("respiratory", ((460, 519), (786, 786))),
    ("digestive", ((520, 579), (787, 787))),
    ("diabetes", ((250, 250),)),
    ("injury", ((800, 999),)),
    ("musculoskeletal", ((710, 739),)),
    ("genitourinary", ((580, 629), (788, 788))),
    ("neoplasms", ((140, 239),)),
)
HEART_FAILURE_STEMS = frozenset({"428"})
KIDNEY_DISEASE_STEMS = frozenset({"403", "404", "584", "585", "586"})
METASTATIC_CANCER_STEMS = frozenset({"196", "197", "198", "199"})
UNCONTROLLED_DIABETES = r"250\.\d[23]"  # fifth digit 2 or 3: uncontrolled

AGE_BAND_MIDPOINTS = {f"[{10 * i}-{10 * i + 10})": 10.0 * i + 5.0 for i in range(10)}
EMERGENCY_ADMISSION_TYPE = "1"
EMERGENCY_ROOM_SOURCE = "7"
# Discharged/transferred to a nursing, intermediate care, rehabilitation, long-term care,
# psychiatric or other inpatient facility (IDs_mapping.csv).
CARE_FACILITY_DISPOSITIONS = frozenset(
    {"3", "4", "5", "15", "22", "23", "24", "27", "28", "29", "30"}
)
HIGH_A1C = frozenset({">7", ">8"})
HIGH_GLUCOSE = frozenset({">200", ">300"})
INSULIN_CHANGED = frozenset({"Up", "Down"})

ENCOUNTER_FEATURES: tuple[str, ...] = (
    "age_years",  # midpoint of the age band
    *(f"primary_{group}" for group in PRIMARY_GROUPS),  # 1 if diag_1 is in the group
    "heart_failure",  # 1 if any diagnosis is heart failure
    "kidney_disease",  # ... kidney disease
    "metastatic_cancer",  # ... metastatic cancer
    "uncontrolled_diabetes",  # ... diabetes coded as uncontrolled
    "total_visits",  # outpatient + emergency + inpatient visits of the past year
    "emergency_admission",  # admission type emergency, or admitted from the emergency room
    "discharged_to_care_facility",  # to a nursing, rehabilitation or other care facility
    "medication_changed",  # any diabetes drug changed during the stay
    "insulin_used",
    "insulin_changed",  # insulin dose raised or lowered
    "diabetes_medication",  # any diabetes drug prescribed
    "a1c_measured",
    "a1c_high",  # HbA1c above 7 %
    "glucose_measured",
    "glucose_high",  # maximum glucose serum above 200 mg/dl
)
HISTORY_FEATURES: tuple[str, ...] = (
    "prior_encounters",  # the patient's earlier encounters in the data, at most 5
)
# Beyond five stays a patient is a frequent one either way; a larger cap would make the
# feature grow with the age of the data set, and so drift between training and production.
PRIOR_ENCOUNTERS_CAP = 5
HISTORY_FORMAT = 1
DEFAULT_SETTINGS = {"patient_history": True}


class PatientHistory:
    """The online state of feature engineering: how many encounters each patient had so far.

    `engineer_features` reads it and adds each new encounter to it. It is JSON-serialisable
    via `to_dict` (with the settings it was made with) so that the service starts with what
    training knew.
    """

    def __init__(self, settings: dict, encounters: dict[str, int] | None = None) -> None:
        self.settings = _checked(settings)
        self.encounters: dict[str, int] = encounters if encounters is not None else {}

    def __len__(self) -> int:
        return len(self.encounters)

    def to_dict(self) -> dict:
        return {
            "format": HISTORY_FORMAT,
            "settings": dict(self.settings),
            "encounters": dict(self.encounters),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "PatientHistory":
        if data.get("format") != HISTORY_FORMAT:
            raise ValueError(f"unknown patient history format: {data.get('format')!r}")
        encounters = {str(k): int(v) for k, v in data["encounters"].items()}
        return cls(data["settings"], encounters)


def feature_names(settings: dict) -> list[str]:
    """The features `engineer_features` returns, in order, for these settings."""
    history = _checked(settings)["patient_history"]
    return [*ENCOUNTER_FEATURES, *(HISTORY_FEATURES if history else ())]


def new_history(settings: dict) -> PatientHistory:
    """An empty history: no patient seen yet."""
    return PatientHistory(settings)


def history_from_dict(data: dict) -> PatientHistory:
    """A history saved with `PatientHistory.to_dict` (for instance as JSON)."""
    return PatientHistory.from_dict(data)


def last_seen(frame: pd.DataFrame, history: PatientHistory) -> pd.Series:
    """When each row's patient was last seen: never known (NaT), as the history counts
    encounters without their times, and encounters need no time order (no time column)."""
    return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")


def engineer_features(frame: pd.DataFrame, history: PatientHistory) -> pd.DataFrame:
    """The clinical features of each encounter; adds the encounters to `history`.

    `frame` must be in encounter order. Returns float64 columns `feature_names` of the
    history's settings, with the index of `frame`. Plain Python over the rows: as fast as
    pandas on a whole data set, and far faster on the service's one-row frames.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"encounters lack the columns {missing}")
    text = {c: _text(frame[c]) for c in REQUIRED_COLUMNS}
    # Per row, the facts of its three diagnoses: (group, heart failure, kidney disease,
    # metastatic cancer, uncontrolled diabetes) each.
    facts = [
        [_diagnosis_facts(code) for code in codes]
        for codes in zip(text["diag_1"], text["diag_2"], text["diag_3"], strict=True)
    ]
    visits = np.sum(
        [_numbers(text[c]) for c in ("number_outpatient", "number_emergency", "number_inpatient")],
        axis=0,
    )
    columns: dict[str, object] = {
        "age_years": [AGE_BAND_MIDPOINTS.get(band, np.nan) for band in text["age"]],
        **{f"primary_{group}": [row[0][0] == group for row in facts] for group in PRIMARY_GROUPS},
        **{
            name: [any(fact[flag] for fact in row) for row in facts]
            for flag, name in enumerate(_COMORBIDITIES, start=1)
        },
        "total_visits": visits,
        "emergency_admission": [
            kind == EMERGENCY_ADMISSION_TYPE or source == EMERGENCY_ROOM_SOURCE
            for kind, source in zip(
                text["admission_type_id"], text["admission_source_id"], strict=True
            )
        ],
        "discharged_to_care_facility": _isin(
            text["discharge_disposition_id"], CARE_FACILITY_DISPOSITIONS
        ),
        "medication_changed": _isin(text["change"], {"Ch"}),
        "insulin_used": _isin(text["insulin"], {"Steady", *INSULIN_CHANGED}),
        "insulin_changed": _isin(text["insulin"], INSULIN_CHANGED),
        "diabetes_medication": _isin(text["diabetesMed"], {"Yes"}),
        "a1c_measured": _isin(text["A1Cresult"], {"Norm", *HIGH_A1C}),
        "a1c_high": _isin(text["A1Cresult"], HIGH_A1C),
        "glucose_measured": _isin(text["max_glu_serum"], {"Norm", *HIGH_GLUCOSE}),
        "glucose_high": _isin(text["max_glu_serum"], HIGH_GLUCOSE),
    }
    if history.settings["patient_history"]:
        columns["prior_encounters"] = _count_and_remember(history, text["patient_nbr"])
    names = feature_names(history.settings)
    values = np.empty((len(frame), len(names)), dtype=np.float64)
    for i, name in enumerate(names):
        values[:, i] = columns[name]
    return pd.DataFrame(values, index=frame.index, columns=names)


def diagnosis_group(codes: pd.Series) -> np.ndarray:
    """The Strack et al. group of each ICD-9 code ("other" for V, E, missing and the rest)."""
    return np.array([_diagnosis_facts(code)[0] for code in _text(codes)], dtype=object)


_COMORBIDITIES = ("heart_failure", "kidney_disease", "metastatic_cancer", "uncontrolled_diabetes")


@functools.lru_cache(maxsize=4096)
def _diagnosis_facts(code: str | None) -> tuple[str, bool, bool, bool, bool]:
    """(group, heart failure, kidney disease, metastatic cancer, uncontrolled diabetes)."""
    if code is None:
        return ("other", False, False, False, False)
    stem = code.split(".", 1)[0]
    group = "other"
    # ASCII digits only: str.isdigit() also takes "²" or "٣", which int() refuses or misreads.
    if stem.isascii() and stem.isdigit():
        number = int(stem)
        group = next(
            (
                name
                for name, ranges in _GROUP_RANGES
                if any(low <= number <= high for low, high in ranges)
            ),
            "other",
        )
    return (
        group,
        stem in HEART_FAILURE_STEMS,
        stem in KIDNEY_DISEASE_STEMS,
        stem in METASTATIC_CANCER_STEMS,
        re.fullmatch(UNCONTROLLED_DIABETES, code) is not None,
    )


def _count_and_remember(history: PatientHistory, patients: list[str | None]) -> list[float]:
    """Each row's count of the patient's earlier encounters; then the row is counted."""
    encounters = history.encounters
    counts = []
    for patient in patients:
        if patient is None:
            counts.append(0.0)
            continue
        seen = encounters.get(patient, 0)
        counts.append(float(min(seen, PRIOR_ENCOUNTERS_CAP)))
        encounters[patient] = seen + 1
    return counts


def _text(values: pd.Series) -> list[str | None]:
    """Values as text (integers as digits), with missing values and the code `?` as None."""
    return [
        None
        if value is None or value is pd.NA or value != value or value == MISSING_CODE
        else str(value)
        for value in values.astype(object).tolist()
    ]


def _numbers(values: list[str | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _isin(values: list[str | None], accepted: frozenset[str] | set[str]) -> list[bool]:
    return [value in accepted for value in values]


def _checked(settings: dict) -> dict:
    """The settings with their defaults; unknown keys are refused."""
    unknown = sorted(set(settings) - set(DEFAULT_SETTINGS))
    if unknown:
        raise ValueError(
            f"unknown feature settings {unknown}: the encounters features know "
            f"{sorted(DEFAULT_SETTINGS)}"
        )
    merged = {**DEFAULT_SETTINGS, **settings}
    if not isinstance(merged["patient_history"], bool):
        raise ValueError(
            f"patient_history must be true or false, got {merged['patient_history']!r}"
        )
    return merged
