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
no row sees a later one. The label ``readmitted`` is never read. For a store shared by
several service replicas, the history splits into one piece per patient (`state_keys`,
`get_state`, `set_state`): the patient's count of encounters.

The features come in two forms that share one function per encounter,
`_featurise_and_remember`: `engineer_features` applies it to every row of a frame (training,
batch scoring), and `row_features` to the one encounter of a web request, in plain Python with
no frame: the web service's form, which computes a validated request's features in a few
microseconds. The generated project's parity test holds the two forms equal on simulated
encounters.

Missing values may come as missing (the pipeline's typed frames) or as the real file's ``?``
code (raw simulator output): both are treated alike.
"""

import functools
import math
import re
from datetime import datetime
from typing import Any

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
A1C_MEASURED = frozenset({"Norm", *HIGH_A1C})  # "None": not measured
HIGH_GLUCOSE = frozenset({">200", ">300"})
GLUCOSE_MEASURED = frozenset({"Norm", *HIGH_GLUCOSE})
INSULIN_CHANGED = frozenset({"Up", "Down"})
INSULIN_USED = frozenset({"Steady", *INSULIN_CHANGED})  # "No": no insulin
MEDICATION_CHANGED = "Ch"  # the `change` column
DIABETES_MEDICATION = "Yes"  # the `diabetesMed` column

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
# The key of a patient's piece of the history in a shared online store (`state_keys`): the
# patient's count of encounters, as `PatientHistory.to_dict` saves it.
PATIENT_KEY = f"{ENTITY}:"  # + patient_nbr as text
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


def row_last_seen(row: dict, history: PatientHistory) -> datetime | None:
    """`last_seen` for one encounter: never known (None), as the history keeps no times."""
    return None


def engineer_features(frame: pd.DataFrame, history: PatientHistory) -> pd.DataFrame:
    """The clinical features of each encounter; adds the encounters to `history`.

    `frame` must be in encounter order. Returns float64 columns `feature_names` of the
    history's settings, with the index of `frame`. Plain Python over the rows, the very
    function `row_features` calls: as fast as pandas on a whole data set.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"encounters lack the columns {missing}")
    features = [
        _featurise_and_remember(history, *values)
        for values in zip(*(_text(frame[c]) for c in REQUIRED_COLUMNS), strict=True)
    ]
    names = feature_names(history.settings)
    return pd.DataFrame(
        np.array(features, dtype=np.float64).reshape(len(frame), len(names)),
        index=frame.index,
        columns=names,
    )


def row_features(row: dict, history: PatientHistory) -> list[float]:
    """The features of one encounter, exactly as `engineer_features` gives its row; then the
    encounter is added to `history`.

    `row` maps column names to the raw values of a validated request (codes as text, counts
    as integers, None where missing or absent). Returns floats in the order of
    `feature_names(history.settings)` (NaN where the frame has NaN). Plain Python, no frame:
    the web service's form. Encounters must come in encounter order.
    """
    return _featurise_and_remember(
        history, *[_as_text(row.get(column)) for column in REQUIRED_COLUMNS]
    )


def state_keys(row: dict, history: PatientHistory) -> list[str]:
    """The keys of the state `row_features` reads and updates for one encounter: its
    patient's. None ([]) without ``patient_history``, or for an encounter without a patient
    (it reads no history, and is not remembered). Needs only the row and the settings,
    so an empty scratch history will do."""
    if not history.settings["patient_history"]:
        return []
    patient = _as_text(row.get("patient_nbr"))
    return [] if patient is None else [PATIENT_KEY + patient]


def state_key_list(history: PatientHistory) -> list[str]:
    """Every key `history` holds state under: one per patient."""
    return [PATIENT_KEY + patient for patient in history.encounters]


def get_state(history: PatientHistory, key: str) -> Any:
    """The state under `key`: the patient's count of encounters (an int), None if none."""
    return history.encounters.get(_state_patient(key))


def set_state(history: PatientHistory, key: str, state: Any) -> None:
    """Put `state` (a count, as `get_state` gave it) under `key` in `history`, replacing what
    was there; None removes it. KeyError for a key not of this history."""
    patient = _state_patient(key)
    if state is None:
        history.encounters.pop(patient, None)
    else:
        history.encounters[patient] = int(state)


def _state_patient(key: str) -> str:
    """The patient of a state key."""
    if not key.startswith(PATIENT_KEY):
        raise KeyError(f"{key!r} is no key of a patient history: keys start with {PATIENT_KEY!r}")
    return key[len(PATIENT_KEY) :]


def diagnosis_group(codes: pd.Series) -> np.ndarray:
    """The Strack et al. group of each ICD-9 code ("other" for V, E, missing and the rest)."""
    return np.array([_diagnosis_facts(code)[0] for code in _text(codes)], dtype=object)


_COMORBIDITIES = ("heart_failure", "kidney_disease", "metastatic_cancer", "uncontrolled_diabetes")
# The primary_* indicators of each group ("other": all zeros).
_GROUP_INDICATORS = {
    group: tuple(float(group == name) for name in PRIMARY_GROUPS)
    for group in (*PRIMARY_GROUPS, "other")
}


def _featurise_and_remember(
    history: PatientHistory,
    patient: str | None,
    age: str | None,
    admission_type: str | None,
    discharge_disposition: str | None,
    admission_source: str | None,
    outpatient: str | None,
    emergency: str | None,
    inpatient: str | None,
    diag_1: str | None,
    diag_2: str | None,
    diag_3: str | None,
    glucose: str | None,
    a1c: str | None,
    insulin: str | None,
    change: str | None,
    diabetes_medication: str | None,
) -> list[float]:
    """The features of one encounter (`feature_names` of the history's settings), from its
    raw columns as text (`_as_text`, in REQUIRED_COLUMNS order); then the encounter is
    counted in `history`. Both `engineer_features` and `row_features` featurise here."""
    first, second, third = map(_diagnosis_facts, (diag_1, diag_2, diag_3))
    emergency_admission = (
        admission_type == EMERGENCY_ADMISSION_TYPE or admission_source == EMERGENCY_ROOM_SOURCE
    )
    features = [
        AGE_BAND_MIDPOINTS.get(age, math.nan),
        *_GROUP_INDICATORS[first[0]],
        # The _COMORBIDITIES, from any of the three diagnoses.
        float(first[1] or second[1] or third[1]),  # heart failure
        float(first[2] or second[2] or third[2]),  # kidney disease
        float(first[3] or second[3] or third[3]),  # metastatic cancer
        float(first[4] or second[4] or third[4]),  # uncontrolled diabetes
        # The year's visits (missing if any count is), summed left to right in float64.
        _number(outpatient) + _number(emergency) + _number(inpatient),
        float(emergency_admission),
        float(discharge_disposition in CARE_FACILITY_DISPOSITIONS),
        float(change == MEDICATION_CHANGED),
        float(insulin in INSULIN_USED),
        float(insulin in INSULIN_CHANGED),
        float(diabetes_medication == DIABETES_MEDICATION),
        float(a1c in A1C_MEASURED),
        float(a1c in HIGH_A1C),
        float(glucose in GLUCOSE_MEASURED),
        float(glucose in HIGH_GLUCOSE),
    ]
    if history.settings["patient_history"]:
        features.append(_count_and_remember(history, patient))
    return features


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


def _count_and_remember(history: PatientHistory, patient: str | None) -> float:
    """The patient's count of earlier encounters (capped); then this one is counted. An
    encounter without a patient counts none and is not remembered."""
    if patient is None:
        return 0.0
    seen = history.encounters.get(patient, 0)
    history.encounters[patient] = seen + 1
    return float(min(seen, PRIOR_ENCOUNTERS_CAP))


def _as_text(value: object) -> str | None:
    """A raw value as the features read it: its text (integers as digits), or None when it
    is missing (None, NaN, or the file's code `?`). `_text` reads a column so."""
    if value is None or value != value or value == MISSING_CODE:
        return None
    return str(value)


def _text(values: pd.Series) -> list[str | None]:
    """A column's values as `_as_text` reads each one, pandas' NA too (the test is written
    out here, not called per value: that would make a frame's features a sixth slower)."""
    return [
        None
        if value is None or value is pd.NA or value != value or value == MISSING_CODE
        else str(value)
        for value in values.astype(object).tolist()
    ]


def _number(value: str | None) -> float:
    return math.nan if value is None else float(value)


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
