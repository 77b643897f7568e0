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

import numpy as np
import pandas as pd

MISSING_CODE = "?"

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


def engineer_features(frame: pd.DataFrame, history: PatientHistory) -> pd.DataFrame:
    """The clinical features of each encounter; adds the encounters to `history`.

    `frame` must be in encounter order. Returns float64 columns `feature_names` of the
    history's settings, with the index of `frame`.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"encounters lack the columns {missing}")
    text = {c: _text(frame[c]) for c in REQUIRED_COLUMNS}
    diagnoses = [text[c] for c in ("diag_1", "diag_2", "diag_3")]
    stems = [codes.str.split(".", n=1).str[0] for codes in diagnoses]
    primary_group = diagnosis_group(diagnoses[0])
    visits = sum(
        pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        for c in ("number_outpatient", "number_emergency", "number_inpatient")
    )

    def anywhere(stem_set: frozenset[str]) -> pd.Series:
        return pd.concat([stem.isin(stem_set) for stem in stems], axis=1).any(axis=1)

    uncontrolled = pd.concat(
        [codes.str.fullmatch(UNCONTROLLED_DIABETES) for codes in diagnoses], axis=1
    )
    columns: dict[str, object] = {
        "age_years": text["age"].map(AGE_BAND_MIDPOINTS).astype("float64"),
        **{f"primary_{group}": primary_group == group for group in PRIMARY_GROUPS},
        "heart_failure": anywhere(HEART_FAILURE_STEMS),
        "kidney_disease": anywhere(KIDNEY_DISEASE_STEMS),
        "metastatic_cancer": anywhere(METASTATIC_CANCER_STEMS),
        "uncontrolled_diabetes": uncontrolled.fillna(False).any(axis=1),
        "total_visits": visits,
        "emergency_admission": (text["admission_type_id"] == EMERGENCY_ADMISSION_TYPE)
        | (text["admission_source_id"] == EMERGENCY_ROOM_SOURCE),
        "discharged_to_care_facility": text["discharge_disposition_id"].isin(
            CARE_FACILITY_DISPOSITIONS
        ),
        "medication_changed": text["change"] == "Ch",
        "insulin_used": text["insulin"].isin(["Steady", *INSULIN_CHANGED]),
        "insulin_changed": text["insulin"].isin(INSULIN_CHANGED),
        "diabetes_medication": text["diabetesMed"] == "Yes",
        "a1c_measured": text["A1Cresult"].notna() & (text["A1Cresult"] != "None"),
        "a1c_high": text["A1Cresult"].isin(HIGH_A1C),
        "glucose_measured": text["max_glu_serum"].notna() & (text["max_glu_serum"] != "None"),
        "glucose_high": text["max_glu_serum"].isin(HIGH_GLUCOSE),
    }
    if history.settings["patient_history"]:
        columns["prior_encounters"] = _count_and_remember(history, text["patient_nbr"])
    features = pd.DataFrame(
        {name: _as_float(values) for name, values in columns.items()}, index=frame.index
    )
    return features[feature_names(history.settings)]


def diagnosis_group(codes: pd.Series) -> np.ndarray:
    """The Strack et al. group of each ICD-9 code ("other" for V, E, missing and the rest)."""
    numeric = pd.to_numeric(codes.where(~codes.str[:1].isin(["V", "E"])), errors="coerce")
    stem = np.floor(numeric.to_numpy(dtype=np.float64, na_value=np.nan))
    group = np.full(len(codes), "other", dtype=object)
    for name, ranges in reversed(_GROUP_RANGES):  # the first listed group wins
        inside = np.any([(stem >= low) & (stem <= high) for low, high in ranges], axis=0)
        group[inside] = name
    return group


def _count_and_remember(history: PatientHistory, patients: pd.Series) -> list[float]:
    """Each row's count of the patient's earlier encounters; then the row is counted."""
    encounters = history.encounters
    counts = []
    for patient in patients.tolist():
        if patient is None or patient is pd.NA:
            counts.append(0.0)
            continue
        seen = encounters.get(patient, 0)
        counts.append(float(min(seen, PRIOR_ENCOUNTERS_CAP)))
        encounters[patient] = seen + 1
    return counts


def _text(values: pd.Series) -> pd.Series:
    """Values as pandas strings, with the missing code `?` as missing."""
    text = values.astype("string")
    return text.mask(text == MISSING_CODE)


def _as_float(values) -> np.ndarray:
    if isinstance(values, pd.Series):
        values = values.astype("boolean").fillna(False) if values.dtype == "boolean" else values
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return np.asarray(values, dtype=np.float64)


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
