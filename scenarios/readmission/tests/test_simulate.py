"""The encounter simulator: reproducible, shaped like the real extract, its truth the truth."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ package_name }}.domain.features import engineer_features, new_history
from {{ package_name }}.domain.simulate import SIZES, readmission_log_odds, simulate

# The declared schema is the contract: config/pipeline.yaml as the template wrote it (the
# tests' copy, in tests/fixtures), read as plain YAML.
DATA = yaml.safe_load(
    (Path(__file__).resolve().parent / "fixtures" / "config" / "pipeline.yaml").read_text()
)["data"]
CANNOT_BE_READMITTED = {11, 19, 20, 21}

POPULATION, DAYS = SIZES["small"]


@pytest.fixture(scope="module")
def training():
    return simulate(POPULATION, DAYS, seed=7)


@pytest.fixture(scope="module")
def production():
    """The 120 days after the training year: the same patients, new encounters."""
    return simulate(POPULATION, 120, seed=7, start="2027-01-01")


def _day(encounter_ids: pd.Series) -> pd.Series:
    """The day of an encounter, as its id encodes it (days since 1990-01-01)."""
    return encounter_ids.astype(np.int64) // 10_000


def test_the_same_arguments_give_identical_frames(training):
    again = simulate(POPULATION, DAYS, seed=7)
    pd.testing.assert_frame_equal(training.rows, again.rows)
    pd.testing.assert_frame_equal(training.truth, again.truth)


def test_different_seeds_give_a_different_population(training):
    other = simulate(POPULATION, DAYS, seed=8).rows
    assert not set(other["patient_nbr"]) & set(training.rows["patient_nbr"])
    stays = other["time_in_hospital"][:500], training.rows["time_in_hospital"][:500]
    assert not np.array_equal(*stays)


def test_columns_and_values_follow_the_pipeline_schema(training):
    rows = training.rows
    assert list(rows.columns) == list(DATA["columns"])
    missing_codes = {"", *DATA["missing_values"]}
    for name, spec in DATA["columns"].items():
        text = rows[name].astype(str)
        present = ~text.isin(missing_codes)
        assert spec.get("nullable", False) or present.all(), name
        if spec["type"] in ("int", "float"):
            assert rows[name].dtype == np.int64, name
            assert rows[name].between(spec.get("min", -np.inf), spec.get("max", np.inf)).all()
        elif all(isinstance(value, int) for value in spec.get("allowed", [""])):
            assert rows[name].dtype == np.int64, name  # codes, written as digits
        else:
            assert rows[name].map(type).eq(str).all(), name
        if "allowed" in spec:
            outside = set(text[present]) - {str(value) for value in spec["allowed"]}
            assert not outside, (name, outside)
    assert rows["encounter_id"].is_unique
    assert rows["encounter_id"].str.fullmatch(r"\d{9}").all()
    assert rows["patient_nbr"].str.fullmatch(r"\d{6,9}").all()


def test_missing_values_are_coded_as_in_the_real_file(training):
    rows = training.rows
    assert (rows["race"] == "?").mean() == pytest.approx(0.022, abs=0.01)
    few = rows["number_diagnoses"] < 3
    assert few.any() and (rows.loc[few, "diag_3"] == "?").all()
    assert (rows.loc[rows["number_diagnoses"] < 2, "diag_2"] == "?").all()
    # "None" (not measured) is a value, not a missing one; it is the common case.
    assert (rows["A1Cresult"] == "None").mean() > 0.7
    assert (rows["max_glu_serum"] == "None").mean() > 0.9
    codes = pd.concat([rows["diag_1"], rows["diag_2"], rows["diag_3"]])
    assert codes.str.fullmatch(r"\?|[VE]?\d{1,3}(\.\d{1,2})?").all()
    assert {"V57", "38", "250.83"} <= set(rows["diag_1"])
    assert codes.str.startswith("E").any()


def test_small_size_resembles_the_real_extract(training):
    rows = training.rows
    assert 8_000 <= len(rows) <= 13_000
    readmitted = rows["readmitted"].value_counts(normalize=True)
    assert readmitted["<30"] == pytest.approx(0.11, abs=0.02)
    assert readmitted[">30"] == pytest.approx(0.33, abs=0.06)
    # Patients come back: about 1.4 encounters per patient, as in the real data.
    per_patient = rows.groupby("patient_nbr").size()
    assert 1.25 <= per_patient.mean() <= 1.6
    assert (per_patient >= 3).sum() > 100
    assert rows["age"].isin(["[60-70)", "[70-80)", "[80-90)"]).mean() > 0.55
    assert (rows["admission_type_id"] == 1).mean() == pytest.approx(0.53, abs=0.03)
    assert (rows["discharge_disposition_id"] == 1).mean() == pytest.approx(0.59, abs=0.06)
    assert rows["time_in_hospital"].mean() == pytest.approx(4.4, abs=0.5)
    assert rows["number_inpatient"].eq(0).mean() > 0.4


def test_encounters_are_in_time_order_and_ids_never_collide_between_periods(training, production):
    for rows in (training.rows, production.rows):
        assert rows["encounter_id"].astype(np.int64).is_monotonic_increasing
    ids = [*training.rows["encounter_id"], *production.rows["encounter_id"]]
    assert len(set(ids)) == len(ids)
    assert _day(production.rows["encounter_id"]).min() > _day(training.rows["encounter_id"]).max()


def test_a_later_period_continues_the_same_patients(training, production):
    before, after = training.rows, production.rows
    both = set(before["patient_nbr"]) & set(after["patient_nbr"])
    assert len(both) > 0.3 * after["patient_nbr"].nunique()
    first = before.groupby("patient_nbr")[["race", "gender", "age"]].first()
    last = after.groupby("patient_nbr")[["race", "gender", "age"]].last()
    common = sorted(both)
    fixed = ["race", "gender"]
    assert (first.loc[common, fixed] == last.loc[common, fixed]).all().all()
    band = {f"[{10 * i}-{10 * i + 10})": i for i in range(10)}
    assert (last.loc[common, "age"].map(band) >= first.loc[common, "age"].map(band)).all()
    # number_inpatient counts the stays of the year before, in the training period too.
    stays = before.assign(day=_day(before["encounter_id"]))[["patient_nbr", "day"]]
    later = after.assign(day=_day(after["encounter_id"])).reset_index()
    pairs = later.merge(stays, on="patient_nbr", suffixes=("", "_before"))
    gap = pairs["day"] - pairs["day_before"]
    pairs = pairs[(gap > 0) & (gap <= 365)]
    earlier_in_training = pairs.groupby("index").size()
    assert len(earlier_in_training) > 500
    counted = later.loc[earlier_in_training.index, "number_inpatient"]
    assert (counted >= earlier_in_training).all()


def test_the_truth_is_the_risk_of_the_visible_columns(training):
    rows, truth = training
    assert list(truth.columns) == ["encounter_id", "readmission_probability"]
    assert truth["encounter_id"].tolist() == rows["encounter_id"].tolist()
    p = truth["readmission_probability"].to_numpy()
    expected = 1 / (1 + np.exp(-readmission_log_odds(rows)))
    dead = rows["discharge_disposition_id"].isin(CANNOT_BE_READMITTED).to_numpy()
    np.testing.assert_allclose(p[~dead], expected[~dead])
    assert (p[~dead] > 0.0).all()
    assert 0.01 < np.median(p) < 0.15 and p.max() < 0.95

    # Neither race, gender, the ids nor the label enter the risk; "?" and missing are alike.
    shuffled = rows.assign(
        race=rows["race"].sample(frac=1, random_state=0).to_numpy(),
        gender=np.where(rows["gender"] == "Female", "Male", "Female"),
        patient_nbr="1",
        encounter_id="1",
        readmitted="NO",
    ).replace("?", pd.NA)
    np.testing.assert_array_equal(readmission_log_odds(shuffled), readmission_log_odds(rows))


def test_drivers_act_through_thresholds_and_combinations(training):
    rows = training.rows

    def effect(column, before, after, where=slice(None)):
        """How the log-odds of the rows `where` move when `column` goes from before to after."""
        chosen = rows[where]
        return readmission_log_odds(chosen.assign(**{column: after})) - readmission_log_odds(
            chosen.assign(**{column: before})
        )

    # The discharge to a nursing facility instead of home matters less with every earlier stay
    # (after short stays: an old patient sent home alone after a long one is a risk of its own).
    short = rows["time_in_hospital"] < 7
    to_facility = [
        effect("discharge_disposition_id", 1, 3, short & (rows["number_inpatient"] == stays))
        for stays in (0, 2, 5)
    ]
    assert to_facility[0].min() > 2 * to_facility[1].max() > 0
    assert to_facility[2].max() < 0.1
    # A missing HbA1c test raises the risk when diabetes is the primary diagnosis, only then.
    diabetes = rows["diag_1"].str.startswith("250")
    not_measured = [effect("A1Cresult", ">8", "None", rows) for rows in (diabetes, ~diabetes)]
    assert (not_measured[0] > 0.5).all() and (not_measured[1] == 0).all()
    # Polypharmacy is a threshold, and earlier stays count in steps (of patients sent home,
    # whose disposition adds nothing to fade).
    np.testing.assert_array_equal(effect("num_medications", 8, 19), 0.0)
    assert (effect("num_medications", 19, 20) > 0.15).all()
    home = rows["discharge_disposition_id"] == 1
    second, first = effect("number_inpatient", 1, 2, home), effect("number_inpatient", 0, 1, home)
    assert (second > 3 * first).all() and (first > 0).all()


def test_a_linear_model_of_the_inputs_misses_much_of_the_truth(training):
    """The baseline (a logistic regression of the model inputs) cannot be the oracle: the best
    linear fit of the true log-odds on those inputs leaves a third of their variance."""
    rows, truth = training
    live = (truth["readmission_probability"] > 0).to_numpy()
    columns = [name for name, spec in DATA["columns"].items() if spec.get("feature")]
    codes = [name for name in columns if DATA["columns"][name]["type"] == "category"]
    inputs = pd.concat(
        [
            rows[columns].drop(columns=codes).astype(float),
            pd.get_dummies(rows[codes].astype(str), dtype=float),
            engineer_features(rows, new_history({})),
        ],
        axis=1,
    ).to_numpy()[live]
    log_odds = readmission_log_odds(rows)[live]
    design = np.column_stack([np.ones(len(inputs)), inputs])
    fitted = design @ np.linalg.lstsq(design, log_odds, rcond=None)[0]
    explained = 1 - np.var(log_odds - fitted) / np.var(log_odds)
    assert 0.3 < explained < 0.8


def test_who_died_or_went_to_a_hospice_to_die_is_never_readmitted(training):
    rows, truth = training
    dead = rows["discharge_disposition_id"].isin(CANNOT_BE_READMITTED)
    assert 0.005 < dead.mean() < 0.03
    assert (rows.loc[dead, "readmitted"] == "NO").all()
    assert (truth.loc[dead, "readmission_probability"] == 0.0).all()


def test_labels_are_drawn_from_the_probability():
    # A medium run (about 11,000 readmissions) so that a miscalibration of a few percent shows.
    rows, truth = simulate(*SIZES["medium"], seed=5)
    y = (rows["readmitted"] == "<30").to_numpy()
    p = truth["readmission_probability"].to_numpy()
    decile = pd.qcut(p, 10, labels=False, duplicates="drop")
    for d in np.unique(decile):
        rows_d = decile == d
        expected, spread = p[rows_d].sum(), np.sqrt((p[rows_d] * (1 - p[rows_d])).sum())
        assert abs(y[rows_d].sum() - expected) < 4 * spread + 1
    assert 0.10 <= y.mean() <= 0.125
    # Later readmissions (">30") are likelier for riskier patients, too.
    later = rows["readmitted"] == ">30"
    assert later[p > np.quantile(p, 0.8)].mean() > later[p < np.quantile(p, 0.2)].mean() + 0.1


def test_risk_drivers_point_the_way_clinicians_expect(training):
    rows, truth = training
    p = truth["readmission_probability"]
    inpatient = rows["number_inpatient"]
    assert p[inpatient >= 2].mean() > 1.5 * p[inpatient == 0].mean()
    discharge = rows["discharge_disposition_id"]
    assert p[discharge == 22].mean() > p[discharge == 3].mean() > p[discharge == 1].mean()
    assert p[discharge.isin([13, 14])].mean() < p[discharge == 1].mean()
    assert p[rows["insulin"].isin(["Up", "Down"])].mean() > p[rows["insulin"] == "No"].mean()
    assert p[rows["time_in_hospital"] >= 8].mean() > p[rows["time_in_hospital"] <= 2].mean()


def test_drift_brings_older_sicker_emergency_patients_and_a_new_coding_habit(production):
    normal = production.rows
    drifted_run = simulate(POPULATION, 120, seed=7, start="2027-01-01", drift=True)
    drifted = drifted_run.rows
    old = ["[70-80)", "[80-90)", "[90-100)"]
    assert drifted["age"].isin(old).mean() > normal["age"].isin(old).mean() + 0.05
    emergency = [(rows["admission_type_id"] == 1).mean() for rows in (normal, drifted)]
    assert emergency[1] > emergency[0] + 0.08
    assert drifted["number_emergency"].mean() > 1.3 * normal["number_emergency"].mean()
    assert (drifted["A1Cresult"] != "None").mean() > 1.6 * (normal["A1Cresult"] != "None").mean()
    assert normal["number_diagnoses"].max() == 9
    assert (drifted["number_diagnoses"] > 9).mean() > 0.3
    # Coding more diagnoses does not make a patient sicker: the risk counts at most 9.
    nine = readmission_log_odds(drifted.assign(number_diagnoses=9))
    sixteen = readmission_log_odds(drifted.assign(number_diagnoses=16))
    np.testing.assert_array_equal(nine, sixteen)
    # Follow-up visits in short supply raise only the risk of patients discharged home.
    truth = drifted_run.truth["readmission_probability"].to_numpy()
    before = 1 / (1 + np.exp(-readmission_log_odds(drifted)))
    home = drifted["discharge_disposition_id"].astype(int).to_numpy() == 1
    assert home.mean() > 0.3
    assert np.all(truth[home] > before[home])
    returns = ~home & (truth > 0)
    np.testing.assert_allclose(truth[returns], before[returns])
    # The baseline stays of the period keep their ids; drift adds stays of its own.
    assert set(normal["encounter_id"]) < set(drifted["encounter_id"])


def test_sizes_are_ordered():
    patients = {name: population * days for name, (population, days) in SIZES.items()}
    assert patients["small"] < patients["medium"] < patients["large"]
    # About 0.4 stays per patient and year: "medium" is about 100,000 encounters.
    assert 80_000 <= 0.4 * patients["medium"] / 365 <= 150_000


def test_invalid_arguments_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        simulate(0, 10)
    with pytest.raises(ValueError):
        simulate(10, 10, start="first of January")
    with pytest.raises(ValueError, match="1991"):
        simulate(10, 10, start="1990-06-01")
