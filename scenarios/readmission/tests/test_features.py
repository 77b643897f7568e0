"""Clinical encounter features: right by hand, past-only, and the same offline and online."""

import json

import numpy as np
import pandas as pd
import pytest

from {{ package_name }}.domain.features import (
    REQUIRED_COLUMNS,
    diagnosis_group,
    engineer_features,
    feature_names,
    history_from_dict,
    new_history,
)
from {{ package_name }}.domain.simulate import SIZES, simulate

NUMBERS = (
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "number_diagnoses",
)


@pytest.fixture(scope="module")
def encounters() -> pd.DataFrame:
    return simulate(*SIZES["small"], seed=3).rows


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as the pipeline hands them over: `?` missing, numbers Int64, text strings."""
    typed = rows.astype(str).replace("?", pd.NA).astype("string")
    for column in NUMBERS:
        typed[column] = pd.to_numeric(rows[column]).astype("Int64")
    return typed


def _features(rows: pd.DataFrame, settings: dict | None = None) -> pd.DataFrame:
    return engineer_features(rows, new_history(settings or {}))


def _encounter(patient: str = "1001", **changes) -> dict:
    """A plain encounter: home from an elective stay, nothing notable; `changes` override."""
    return {
        "encounter_id": "1",
        "patient_nbr": patient,
        "race": "Caucasian",
        "gender": "Female",
        "age": "[60-70)",
        "admission_type_id": "3",
        "discharge_disposition_id": "1",
        "admission_source_id": "1",
        "time_in_hospital": 3,
        "num_lab_procedures": 40,
        "num_procedures": 1,
        "num_medications": 12,
        "number_outpatient": 0,
        "number_emergency": 0,
        "number_inpatient": 0,
        "diag_1": "715",
        "diag_2": "401",
        "diag_3": "272",
        "number_diagnoses": 5,
        "max_glu_serum": "None",
        "A1Cresult": "None",
        "insulin": "No",
        "change": "No",
        "diabetesMed": "No",
        "readmitted": "NO",
        **changes,
    }


def test_output_is_float64_in_model_order_with_the_input_index(encounters):
    rows = encounters.iloc[:500].set_axis(np.arange(1000, 1500))
    features = _features(rows)
    assert list(features.columns) == feature_names({})
    assert (features.dtypes == np.float64).all()
    assert features.index.equals(rows.index)
    assert np.isfinite(features.to_numpy()).all()
    assert set(REQUIRED_COLUMNS) <= set(encounters.columns)
    assert not {"readmitted", "race", "gender"} & set(REQUIRED_COLUMNS)


def test_diagnosis_groups_follow_strack_et_al():
    codes = {
        "390": "circulatory", "459.9": "circulatory", "785": "circulatory", "428": "circulatory",
        "460": "respiratory", "519": "respiratory", "786": "respiratory",
        "520": "digestive", "579": "digestive", "787": "digestive",
        "250": "diabetes", "250.83": "diabetes", "250.01": "diabetes",
        "800": "injury", "996": "injury", "999": "injury",
        "710": "musculoskeletal", "739": "musculoskeletal",
        "580": "genitourinary", "629": "genitourinary", "788": "genitourinary",
        "140": "neoplasms", "197": "neoplasms", "239": "neoplasms",
        "139": "other", "38": "other", "8": "other", "240": "other", "251": "other",
        "276": "other", "780": "other", "789": "other", "V57": "other", "E909": "other",
    }  # fmt: skip
    groups = diagnosis_group(pd.Series([*codes, pd.NA], dtype="string"))
    assert dict(zip(codes, groups[:-1], strict=True)) == codes
    assert groups[-1] == "other"


def test_hand_built_encounters():
    rows = pd.DataFrame(
        [
            # A plain elective knee stay (715: musculoskeletal) of a patient in their sixties.
            _encounter(),
            # Heart failure through the emergency room (elective type, but source 7), with
            # uncontrolled diabetes and kidney disease among the secondary diagnoses, insulin
            # raised, HbA1c high, discharged to a rehabilitation facility.
            _encounter(
                patient="2002",
                age="[80-90)",
                admission_type_id="3",
                admission_source_id="7",
                discharge_disposition_id="22",
                diag_1="428",
                diag_2="250.83",
                diag_3="585",
                number_outpatient=2,
                number_emergency=1,
                number_inpatient=3,
                A1Cresult=">7",
                max_glu_serum="Norm",
                insulin="Up",
                change="Ch",
                diabetesMed="Yes",
            ),
            # The first patient again: rehab aftercare (V57: other), metastatic cancer coded
            # third, the second diagnosis missing; insulin unchanged, glucose above 300.
            _encounter(
                age="[70-80)",
                admission_type_id="1",
                discharge_disposition_id="6",
                diag_1="V57",
                diag_2="?",
                diag_3="197",
                number_inpatient=1,
                max_glu_serum=">300",
                insulin="Steady",
                diabetesMed="Yes",
            ),
            # Uncontrolled diabetes as the primary diagnosis (250.02), age band missing.
            _encounter(patient="3003", age=pd.NA, diag_1="250.02", diag_2="E909", diag_3=pd.NA),
        ]
    )
    f = _features(rows)
    groups = [c for c in f.columns if c.startswith("primary_")]

    plain = f.iloc[0]
    assert plain["age_years"] == 65.0
    assert plain[groups].to_dict() == {**dict.fromkeys(groups, 0.0), "primary_musculoskeletal": 1.0}
    flags = [
        "heart_failure", "kidney_disease", "metastatic_cancer", "uncontrolled_diabetes",
        "emergency_admission", "discharged_to_care_facility", "medication_changed",
        "insulin_used", "insulin_changed", "diabetes_medication", "a1c_measured", "a1c_high",
        "glucose_measured", "glucose_high",
    ]  # fmt: skip
    assert plain[flags].eq(0.0).all()
    assert plain["total_visits"] == 0.0 and plain["prior_encounters"] == 0.0

    heart = f.iloc[1]
    assert heart["age_years"] == 85.0
    assert heart["primary_circulatory"] == 1.0 and heart[groups].sum() == 1.0
    assert heart[flags].to_dict() == {
        **dict.fromkeys(flags, 1.0),
        "metastatic_cancer": 0.0,
        "glucose_high": 0.0,
    }
    assert heart["total_visits"] == 6.0 and heart["prior_encounters"] == 0.0

    again = f.iloc[2]
    assert again["prior_encounters"] == 1.0
    assert again[groups].eq(0.0).all()  # V codes are "other"
    assert again["metastatic_cancer"] == 1.0 and again["heart_failure"] == 0.0
    assert again["emergency_admission"] == 1.0 and again["discharged_to_care_facility"] == 0.0
    assert again["insulin_used"] == 1.0 and again["insulin_changed"] == 0.0
    assert again["medication_changed"] == 0.0 and again["diabetes_medication"] == 1.0
    assert again["glucose_measured"] == 1.0 and again["glucose_high"] == 1.0
    assert again["a1c_measured"] == 0.0 and again["total_visits"] == 1.0

    diabetic = f.iloc[3]
    assert np.isnan(diabetic["age_years"])
    assert diabetic["primary_diabetes"] == 1.0 and diabetic["uncontrolled_diabetes"] == 1.0
    assert diabetic["prior_encounters"] == 0.0


def test_prior_encounters_count_the_patients_earlier_rows_up_to_five():
    rows = pd.DataFrame(
        [_encounter(patient=p) for p in ["7", "8", "7", "7", "8", "7", "7", "7", "7", "9"]]
    )
    assert _features(rows)["prior_encounters"].tolist() == [0, 0, 1, 2, 1, 3, 4, 5, 5, 0]


def test_typed_frames_and_the_real_files_missing_code_give_the_same_features(encounters):
    raw = encounters.iloc[:2000]
    assert (raw[["race", "diag_2", "diag_3"]] == "?").any().all()
    pd.testing.assert_frame_equal(_features(_typed(raw)), _features(raw))


def test_features_of_a_row_do_not_depend_on_later_rows(encounters):
    full = _features(encounters)
    cut = len(encounters) // 2
    pd.testing.assert_frame_equal(_features(encounters.iloc[:cut]), full.iloc[:cut])

    # Rewrite the future: other patients, diagnoses, dispositions after the cut.
    rng = np.random.default_rng(0)
    altered = encounters.copy()
    later = altered.index[cut:]
    for column in ("patient_nbr", "diag_1", "discharge_disposition_id", "number_inpatient"):
        altered.loc[later, column] = rng.permutation(altered.loc[later, column].to_numpy())
    changed = _features(altered)
    pd.testing.assert_frame_equal(changed.iloc[:cut], full.iloc[:cut])
    assert not changed.iloc[cut:].equals(full.iloc[cut:])


def test_the_label_and_the_protected_attributes_are_never_read(encounters):
    full = _features(encounters)
    pd.testing.assert_frame_equal(
        _features(encounters.drop(columns=["readmitted", "race", "gender"])), full
    )
    flipped = encounters.assign(readmitted=np.where(encounters["readmitted"] == "<30", "NO", "<30"))
    pd.testing.assert_frame_equal(_features(flipped), full)


def test_chunked_and_one_by_one_equal_one_batch(encounters):
    """The service featurises one encounter at a time with the history carried over."""
    rows = encounters.iloc[:3000]
    batch = _features(rows)

    history = new_history({})
    first = engineer_features(rows.iloc[:1700], history)
    rest = engineer_features(rows.iloc[1700:], history)
    pd.testing.assert_frame_equal(pd.concat([first, rest]), batch)

    history = new_history({})
    engineer_features(rows.iloc[:2800], history)
    one_by_one = [engineer_features(_typed(rows.iloc[[i]]), history) for i in range(2800, 3000)]
    pd.testing.assert_frame_equal(pd.concat(one_by_one), batch.iloc[2800:])
    assert batch["prior_encounters"].iloc[2800:].gt(0).any()


def test_history_survives_a_json_round_trip_with_its_settings(encounters):
    cut = len(encounters) // 2
    kept = new_history({"patient_history": True})
    engineer_features(encounters.iloc[:cut], kept)
    assert len(kept) == encounters["patient_nbr"].iloc[:cut].nunique()

    saved = json.dumps(kept.to_dict())
    restored = history_from_dict(json.loads(saved))
    assert restored.to_dict() == kept.to_dict()
    assert restored.settings == {"patient_history": True}

    continued = engineer_features(encounters.iloc[cut:], kept)
    pd.testing.assert_frame_equal(engineer_features(encounters.iloc[cut:], restored), continued)
    with pytest.raises(ValueError, match="format"):
        history_from_dict({**kept.to_dict(), "format": 99})


def test_without_patient_history_the_features_are_stateless(encounters):
    settings = {"patient_history": False}
    names = feature_names(settings)
    assert names == [name for name in feature_names({}) if name != "prior_encounters"]
    history = new_history(settings)
    features = engineer_features(encounters, history)
    assert list(features.columns) == names
    assert len(history) == 0
    pd.testing.assert_frame_equal(features, _features(encounters)[names])


def test_the_input_contract_is_enforced(encounters):
    with pytest.raises(KeyError, match="diag_1"):
        _features(encounters.drop(columns="diag_1"))
    with pytest.raises(ValueError, match="unknown feature settings"):
        feature_names({"patient_column": "patient_id"})
    with pytest.raises(ValueError, match="true or false"):
        new_history({"patient_history": "yes"})
