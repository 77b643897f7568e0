"""A seeded simulator of diabetic patients' hospital encounters whose readmission risk is known.

Hospital records are confidential, and in the public extract (the UCI "Diabetes 130-US
hospitals" data, Strack et al. 2014) nobody knows how likely each readmission really was. So
this project ships a simulator whose rows look like that extract, with the same column names
and value codes, and which returns, besides the encounters, the *truth*: for every encounter
the probability that the patient is readmitted within 30 days of discharge. Ranking
encounters by that probability is the best any model could do on these rows (the oracle).

How the data is generated
-------------------------
Patients. A fixed population that depends only on ``(population, seed)``: a ``patient_nbr``,
race (missing for about 2 %, coded ``?`` as in the real file), gender, an age on the
reference date ``REFERENCE_DATE`` (ages move on with the calendar, so a patient can change
age band between encounters), a *frailty* (a gamma-distributed severity of their illness, mean
1), the condition they are most often admitted for, two chronic conditions that keep showing
up among their secondary diagnoses, and whether they use insulin or oral diabetes drugs.

Arrivals. Each patient is admitted at a rate that grows with frailty and age (about 0.4 stays
a year on average, so most patients have one encounter and a frail few have many: about 1.4
encounters per patient seen, as in the real data). Admission days are drawn per block of 365
days counted from ``EPOCH`` with a generator seeded by the block, so the same patient is
admitted on the same days whichever period is asked for: a later ``start`` continues the same
patients' story, and the year before ``start`` (needed for ``number_inpatient``) is known.

The stay. Admission type and source (emergency room, physician referral, transfer, ...), the
primary diagnosis (ICD-9: the patient's usual condition about a third of the time, otherwise
drawn from the real data's mix of diagnosis groups and codes), two secondary diagnoses (often
the patient's chronic conditions), the number of diagnoses coded (at most 9, as in the
1999-2008 records), length of stay, lab tests, procedures and medications (all larger for
frailer patients and longer stays), glucose and HbA1c tests (HbA1c mostly when diabetes is
the primary diagnosis), insulin (``No`` for non-users, else ``Steady``, ``Up`` or ``Down``),
whether any diabetes drug was changed, and the discharge disposition (older and frailer
patients go to nursing or rehabilitation facilities more often, and some die or go to a
hospice: dispositions 11, 13, 14, 19 and 20). ``number_inpatient`` counts the patient's
stays in the 365 days before this one, in this hospital system and elsewhere;
``number_emergency`` and ``number_outpatient`` grow with frailty.

Ground truth. Every encounter gets ``readmission_probability`` p from a model of what
clinicians and the readmission literature name as drivers. Few of them add up in a straight
line, and the truth follows the shapes the studies report, so that a linear model of the
columns misses part of the risk a model of thresholds and combinations finds:

- earlier stays count in steps, as in the HOSPITAL score (Donze et al. 2013: 0-1, 2-5 and
  more than 5 admissions in the year before); length of stay in the LACE index's steps (van
  Walraven et al. 2010: 1, 2, 3, 4-6, 7-13, 14 days);
- the discharge disposition matters for patients new to hospital and fades with every earlier
  stay: in the real extract a discharge to a facility raises the odds by about 2.3 times for a
  patient with no stay in the year before, and not at all after five;
- a missing HbA1c test raises the risk only when diabetes is the primary diagnosis (Strack
  et al. 2014: the association of the measurement with readmission depends on the primary
  diagnosis);
- polypharmacy (20 medications or more) is a threshold, steeper at 70 or older; heart failure
  with kidney disease is worse than the two apart (the cardiorenal syndrome); a young adult
  (under 40) in a diabetic crisis (diabetes primary or uncontrolled) is at high risk, as the
  real extract's high rate for patients in their twenties shows; and an old patient (70+)
  sent home without support after a week or more in hospital is at high risk;
- besides these, emergency visits, the number of diagnoses, the primary diagnosis group,
  heart failure, kidney disease, metastatic cancer and uncontrolled diabetes, the age band,
  an emergency admission, insulin changed, diabetes drugs and a high glucose add their share.

Its coefficients (``RISK_*``) are set so that about 11 % are readmitted within 30 days, as in
the real data. Patients who died or went to a hospice for the dying (11, 19, 20, 21) cannot be
readmitted: p is 0. The label ``readmitted`` is ``<30`` with probability p, otherwise ``>30``
(a later readmission, more likely for riskier patients) or ``NO``. p depends only on the
encounter's own columns, so a model can approach the oracle but not beat it: the remaining
noise is the coin flip itself, which is why even the oracle's ROC AUC is only about 0.72.
Race and gender do not enter p. The readmission itself is not added as a row: it may happen
in another hospital or not qualify for the extract, as in the real data.

Drift. ``drift=True`` simulates a later, different case mix: patients over 70 are admitted 60 %
more often, more admissions are emergencies and patients have had half again as many
emergency visits in the year before, a quality programme doubles HbA1c testing, and a new coding
habit records up to 16 diagnoses per stay (the limit of the newer claims format) although the
patients are no sicker: the true risk still counts at most 9 diagnoses. And the region runs
short of primary-care appointments: patients discharged home wait weeks for the follow-up
visit that would catch a relapse, and their odds of readmission are 2.5 times what they were.
That is the only change a model must learn anew (retraining's case), and no input shows it.

Everything is drawn from numpy generators seeded from ``seed`` (population, arrivals) and
from ``(seed, start, drift)`` (the stays), so the same arguments always give the same frames.
"""

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

# Size flag -> (patients in the hospital system's diabetic population, days). About 0.4
# encounters per patient and year: "small" is about 10,000 encounters (tests), "medium" (the
# default) about 100,000, like the real extract, "large" four times medium.
# A production period (`simulate --production`) lasts this long: a quarter's discharges, enough
# for a drift verdict even at the small size (about 2,500 encounters).
PRODUCTION_DAYS = 90

SIZES: dict[str, tuple[int, int]] = {
    "small": (25_000, 365),
    "medium": (250_000, 365),
    "large": (1_000_000, 365),
}

COLUMNS = (
    "encounter_id",
    "patient_nbr",
    "race",
    "gender",
    "age",
    "admission_type_id",
    "discharge_disposition_id",
    "admission_source_id",
    "time_in_hospital",
    "num_lab_procedures",
    "num_procedures",
    "num_medications",
    "number_outpatient",
    "number_emergency",
    "number_inpatient",
    "diag_1",
    "diag_2",
    "diag_3",
    "number_diagnoses",
    "max_glu_serum",
    "A1Cresult",
    "insulin",
    "change",
    "diabetesMed",
    "readmitted",
)
MISSING = "?"  # the real file's code for a missing value

# Day 0 of the arrival blocks, and the date the population's ages refer to.
EPOCH = dt.date(1990, 1, 1)
REFERENCE_DATE = dt.date(2026, 1, 1)
BLOCK_DAYS = 365
# encounter_id = day since EPOCH * ID_DAY_FACTOR + number of the stay that day (baseline stays
# count from 1, the extra stays of drifted traffic from DRIFT_ID_OFFSET), so that ids grow with
# time and never collide between periods.
ID_DAY_FACTOR = 10_000
DRIFT_ID_OFFSET = 5_000

RACE_SHARE = {
    "Caucasian": 0.748, "AfricanAmerican": 0.189, MISSING: 0.022, "Hispanic": 0.020,
    "Other": 0.015, "Asian": 0.006,
}  # fmt: skip
GENDER_SHARE = {"Female": 0.5376, "Male": 0.4623, "Unknown/Invalid": 0.0001}
AGE_BANDS = tuple(f"[{10 * i}-{10 * i + 10})" for i in range(10))
AGE_BAND_SHARE = (0.0016, 0.0068, 0.0163, 0.0371, 0.0952, 0.1696, 0.2209, 0.2562, 0.1690, 0.0274)

# Admissions per patient and year, before frailty and age.
ADMISSIONS_PER_YEAR = 0.4
FRAILTY_SHAPE = 1.2  # gamma shape of frailty (mean 1): a small shape means a few very ill
AGE_RATE_SLOPE = 0.012  # log admission rate per year of age above 65
PATIENT_MAIN_CONDITION_SHARE = 0.35  # stays for the patient's usual condition
CHRONIC_SECONDARY_SHARE = 0.45  # secondary diagnoses that are the patient's chronic ones
INSULIN_USER_SHARE = 0.53
ORAL_DRUG_USER_SHARE = 0.52

# ICD-9 diagnosis groups (Strack et al. 2014) and, per group, the frequent codes of the real
# data with their relative frequencies, for the primary and for the secondary diagnoses.
# Codes are written as in the real file: no leading zeros ("38" is 038, septicemia).
DIAGNOSIS_GROUPS = (
    "circulatory", "respiratory", "digestive", "diabetes", "injury", "musculoskeletal",
    "genitourinary", "neoplasms", "other",
)  # fmt: skip
PRIMARY_GROUP_SHARE = (0.299, 0.142, 0.093, 0.086, 0.069, 0.049, 0.050, 0.034, 0.178)
SECONDARY_GROUP_SHARE = (0.31, 0.09, 0.04, 0.15, 0.022, 0.018, 0.074, 0.022, 0.274)
PRIMARY_CODES: dict[str, dict[str, float]] = {
    "circulatory": {
        "428": 0.225, "414": 0.216, "410": 0.119, "427": 0.091, "434": 0.067, "435": 0.033,
        "440": 0.028, "433": 0.026, "453": 0.018, "403": 0.017, "402": 0.015, "415": 0.015,
        "785": 0.010,
    },
    "respiratory": {
        "786": 0.278, "486": 0.243, "491": 0.158, "518": 0.077, "493": 0.073, "507": 0.042,
        "482": 0.024, "511": 0.019, "466": 0.016,
    },
    "digestive": {
        "577": 0.112, "562": 0.104, "574": 0.102, "560": 0.092, "578": 0.070, "530": 0.056,
        "535": 0.047, "558": 0.035, "569": 0.030, "571": 0.029, "531": 0.029, "787": 0.028,
    },
    "diabetes": {
        "250.8": 0.192, "250.6": 0.135, "250.7": 0.099, "250.13": 0.097, "250.02": 0.077,
        "250.11": 0.071, "250.12": 0.048, "250.82": 0.047, "250.1": 0.036, "250.4": 0.030,
        "250": 0.027, "250.03": 0.023, "250.83": 0.020,
    },
    "injury": {
        "996": 0.282, "820": 0.155, "998": 0.112, "997": 0.061, "824": 0.045, "812": 0.034,
        "805": 0.027, "821": 0.021, "808": 0.020, "823": 0.018,
    },
    "musculoskeletal": {
        "715": 0.434, "722": 0.156, "724": 0.089, "733": 0.074, "730": 0.046, "721": 0.036,
        "728": 0.026,
    },
    "genitourinary": {
        "599": 0.312, "584": 0.297, "592": 0.068, "590": 0.065, "600": 0.040, "618": 0.031,
        "593": 0.020, "585": 0.015, "788": 0.020,
    },
    "neoplasms": {
        "162": 0.124, "197": 0.093, "153": 0.091, "198": 0.070, "185": 0.050, "174": 0.043,
        "218": 0.037, "189": 0.037, "157": 0.033, "188": 0.033,
    },
    "other": {
        "682": 0.112, "780": 0.111, "276": 0.104, "38": 0.093, "V57": 0.066, "296": 0.049,
        "789": 0.031, "8": 0.028, "295": 0.025, "278": 0.021, "285": 0.020, "280": 0.018,
        "V58": 0.012,
    },
}  # fmt: skip
SECONDARY_CODES: dict[str, dict[str, float]] = {
    "circulatory": {
        "401": 0.19, "428": 0.18, "427": 0.145, "414": 0.10, "403": 0.085, "411": 0.045,
        "425": 0.04, "424": 0.035, "413": 0.02, "410": 0.01, "785": 0.015,
    },
    "respiratory": {
        "496": 0.33, "491": 0.11, "486": 0.10, "518": 0.12, "493": 0.09, "786": 0.07, "511": 0.05,
    },
    "digestive": {
        "530": 0.115, "571": 0.09, "560": 0.085, "578": 0.075, "574": 0.06, "787": 0.07,
        "536": 0.06, "535": 0.06,
    },
    "diabetes": {
        "250": 0.55, "250.02": 0.12, "250.01": 0.09, "250.6": 0.065, "250.03": 0.013,
        "250.41": 0.015, "250.8": 0.017, "250.92": 0.012, "250.4": 0.02,
    },
    "injury": {
        "998": 0.20, "996": 0.17, "997": 0.155, "995": 0.10, "805": 0.025, "820": 0.02,
        "812": 0.015,
    },
    "musculoskeletal": {
        "730": 0.12, "733": 0.105, "715": 0.09, "710": 0.075, "724": 0.08, "722": 0.07,
        "728": 0.065, "729": 0.065,
    },
    "genitourinary": {
        "599": 0.34, "585": 0.26, "584": 0.17, "788": 0.05, "593": 0.03, "591": 0.025,
    },
    "neoplasms": {
        "197": 0.18, "162": 0.13, "198": 0.13, "196": 0.07, "202": 0.07, "211": 0.04, "153": 0.04,
    },
    "other": {
        "276": 0.21, "707": 0.06, "285": 0.05, "780": 0.05, "272": 0.04, "682": 0.04,
        "V45": 0.03, "305": 0.03, "280": 0.02, "38": 0.02, "41": 0.02, "V58": 0.015,
        "244": 0.015, "E849": 0.01, "E888": 0.008, "E878": 0.008, "E909": 0.002,
    },
}  # fmt: skip
# Comorbidities that raise the risk wherever they are coded (diag_1, diag_2 or diag_3), by the
# code's first three characters; uncontrolled diabetes is 250.x2 or 250.x3.
HEART_FAILURE_CODES = frozenset({"428"})
KIDNEY_DISEASE_CODES = frozenset({"403", "404", "584", "585", "586"})
METASTATIC_CANCER_CODES = frozenset({"196", "197", "198", "199"})
UNCONTROLLED_DIABETES_CODES = r"250\.\d[23]"  # a regular expression

# Admission type (IDs_mapping.csv: 1 emergency, 2 urgent, 3 elective, 4 newborn, 5 not
# available, 6 NULL, 7 trauma centre, 8 not mapped) and, per kind of admission, its source
# (7 emergency room, 1 physician referral, 2 clinic, 3 HMO, 4 hospital transfer, 5 nursing
# facility, 6 other facility, 9 and 17 not available, 20 not mapped).
ADMISSION_TYPE_SHARE = {1: 0.531, 2: 0.182, 3: 0.185, 4: 0.0001, 5: 0.047, 6: 0.052, 7: 0.0002,
                        8: 0.0031}  # fmt: skip
DRIFT_EMERGENCY_FACTOR = 1.8  # drifted traffic: the emergency share's odds, multiplied
EMERGENCY_TYPES = frozenset({1, 2, 7})
UNKNOWN_TYPES = frozenset({5, 6, 8})
SOURCE_SHARE = {
    "emergency": {7: 0.80, 1: 0.12, 4: 0.03, 6: 0.02, 2: 0.01, 5: 0.012, 3: 0.002, 17: 0.006},
    "elective": {1: 0.78, 4: 0.08, 6: 0.04, 2: 0.05, 7: 0.02, 5: 0.01, 3: 0.01, 17: 0.01},
    "unknown": {17: 0.45, 7: 0.30, 1: 0.15, 20: 0.04, 9: 0.03, 4: 0.02, 6: 0.01},
}


# Discharge disposition (IDs_mapping.csv): a base share, and how its odds move with age (per
# decade above 65) and frailty (per unit of log frailty). The base shares are set so that the
# simulated patients' dispositions come close to the real data's (59 % home, 14 % nursing).
class Disposition(NamedTuple):
    share: float
    per_decade: float
    per_log_frailty: float


DISPOSITIONS: dict[int, Disposition] = {
    1: Disposition(0.68, -0.35, -0.30),  # home
    3: Disposition(0.08, 0.55, 0.35),  # skilled nursing facility
    6: Disposition(0.115, 0.25, 0.20),  # home with home health service
    18: Disposition(0.036, 0.0, 0.0),  # NULL
    2: Disposition(0.021, 0.0, 0.20),  # another short-term hospital
    22: Disposition(0.016, 0.30, 0.30),  # rehabilitation facility
    11: Disposition(0.011, 0.30, 0.40),  # expired
    5: Disposition(0.012, 0.0, 0.30),  # another inpatient care institution
    25: Disposition(0.010, 0.0, 0.0),  # not mapped
    4: Disposition(0.0055, 0.45, 0.30),  # intermediate care facility
    7: Disposition(0.006, -0.60, 0.0),  # left against medical advice
    23: Disposition(0.004, 0.30, 0.40),  # long-term care hospital
    13: Disposition(0.002, 0.45, 0.70),  # hospice, home
    14: Disposition(0.002, 0.45, 0.70),  # hospice, medical facility
    28: Disposition(0.0014, -0.50, 0.0),  # psychiatric hospital
    8: Disposition(0.001, 0.0, 0.0),  # home under care of a home IV provider
    15: Disposition(0.0006, 0.30, 0.0),  # swing bed
    24: Disposition(0.0005, 0.30, 0.0),  # nursing facility (Medicaid)
    9: Disposition(0.0002, 0.0, 0.0),  # admitted as an inpatient to this hospital
    17: Disposition(0.00014, 0.0, 0.0),  # referred to this institution for outpatient care
    16: Disposition(0.0001, 0.0, 0.0),  # referred to another institution for outpatient care
    19: Disposition(0.0001, 0.30, 0.40),  # expired at home (hospice)
    10: Disposition(0.00006, 0.0, 0.0),  # neonate to another hospital
    27: Disposition(0.00005, 0.0, 0.0),  # federal health care facility
    12: Disposition(0.00003, 0.0, 0.0),  # still patient
    20: Disposition(0.00002, 0.30, 0.40),  # expired in a medical facility (hospice)
}
# Dead or dying: cannot be readmitted (the pipeline excludes these rows from training).
CANNOT_BE_READMITTED = frozenset({11, 19, 20, 21})
HOSPICE = frozenset({13, 14})  # discharged to a hospice, may still be readmitted
MORE_DEATHS_WITH_CANCER = 1.2  # log-odds added to dying when the primary diagnosis is cancer

# Stays. Length of stay 1 + a gamma-Poisson count (mean about 4.4 days), capped at 14.
STAY_EXTRA_DAYS = 3.2
MAX_STAY_DAYS = 14
# Diagnoses coded: normal around this mean (plus 0.9 per unit of log frailty and 0.03 per year
# of age above 65) with this spread, rounded and capped: about half of the stays code 9.
CODED_DIAGNOSES_MEAN, CODED_DIAGNOSES_SPREAD = 7.6, 2.0
MAX_CODED_DIAGNOSES, DRIFT_MAX_CODED_DIAGNOSES = 9, 16
DRIFT_EXTRA_CODED_DIAGNOSES = 2.0
# A diagnosis left uncoded although there are enough of them: diag_1, diag_2, diag_3.
UNCODED_SHARE = (0.0002, 0.003, 0.01)
# Lab tests: about 30 plus 2.8 a day, spread 17; 3 % of stays have only a few (results from
# outside labs). Procedures: Poisson, twice as many for circulatory and musculoskeletal
# diagnoses, 1.6 times for elective stays, at most 6. Medications: lognormal around 11, more
# for frailer patients (frailty ** 0.15) and 6 % more per day in hospital.
LAB_TESTS_BASE, LAB_TESTS_PER_DAY, LAB_TESTS_SPREAD, FEW_LAB_TESTS_SHARE = 30.0, 2.8, 17.0, 0.03
MAX_PROCEDURES = 6
MEDICATIONS_MEDIAN, MEDICATIONS_PER_DAY, MEDICATIONS_SIGMA = 11.0, 0.06, 0.4
A1C_TEST_SHARE = {"diabetes": 0.32, "other": 0.14}  # of stays, by primary diagnosis
DRIFT_A1C_TEST_FACTOR = 2.0
A1C_RESULT_SHARE = {"Norm": 0.29, ">7": 0.22, ">8": 0.49}
GLUCOSE_TEST_SHARE = {"emergency": 0.06, "other": 0.025}
GLUCOSE_RESULT_SHARE = {"Norm": 0.49, ">200": 0.28, ">300": 0.23}
INSULIN_DOSE_SHARE = {"Steady": 0.57, "Up": 0.21, "Down": 0.22}  # of insulin users' stays
ORAL_DRUG_CHANGE_SHARE = 0.42  # of stays of oral drug users whose insulin did not change
VISITS_PER_LOG_FRAILTY = 0.8  # earlier visits grow as frailty ** this
OUTSIDE_STAYS_PER_YEAR = 0.08  # stays in other hospitals, per unit of frailty
EMERGENCY_VISITS_PER_YEAR = 0.17
OUTPATIENT_VISITS_PER_YEAR = 0.30
DRIFT_EMERGENCY_VISIT_FACTOR = 1.5
DRIFT_OLD_AGE = 70.0
DRIFT_OLD_ADMISSION_FACTOR = 1.6
# Drifted traffic: patients discharged home (disposition 1) without home health service wait
# weeks for their follow-up visit, and their odds of readmission are multiplied by this. An
# early visit after discharge goes with fewer readmissions (Hernandez et al. 2010, JAMA, for
# heart failure); the factor is larger than the studies measure, so that one quarter's
# outcomes show it even at the small size. The risk of everyone else is unchanged.
DRIFT_HOME_FOLLOW_UP_ODDS = 2.5
HOME_DISPOSITION = 1

# The true risk: log-odds of readmission within 30 days (see the module docstring). Many
# drivers act through thresholds and combinations, as readmission scores and studies find them.
RISK_INTERCEPT = -3.95
# Stays in the year before, by count (the last entry for that many or more): the HOSPITAL
# score's steps (Donze et al. 2013: 0-1, 2-5, more than 5 admissions in the past 12 months).
RISK_PRIOR_STAYS = (0.0, 0.10, 0.80, 0.80, 0.80, 0.80, 1.30)
RISK_PER_LOG_EMERGENCY = 0.15  # times log(1 + emergency visits, at most 10)
RISK_PER_LOG_OUTPATIENT = 0.05  # times log(1 + outpatient visits, at most 10)
# Length of stay by day (1 to 14): the LACE index's steps (van Walraven et al. 2010: 1, 2, 3,
# 4-6, 7-13, 14 days).
RISK_STAY_DAYS = (0.0, 0.05, 0.10, 0.20, 0.20, 0.20, *[0.30] * 7, 0.40)
RISK_PER_DIAGNOSIS = 0.05  # per diagnosis coded, up to 9: a coding habit adds no risk
# Polypharmacy: this many medications or more during the stay; worse at 70 or older.
POLYPHARMACY_MEDICATIONS = 20
RISK_POLYPHARMACY = 0.20
RISK_OLD_POLYPHARMACY = 0.60  # at 70 or older, beyond RISK_POLYPHARMACY
RISK_AGE_BAND = (-1.2, -0.6, 0.35, 0.1, 0.0, -0.05, 0.0, 0.05, 0.05, -0.05)
RISK_PRIMARY_GROUP = {
    "circulatory": 0.0, "respiratory": -0.15, "digestive": 0.0, "diabetes": 0.20,
    "injury": 0.10, "musculoskeletal": -0.20, "genitourinary": 0.0, "neoplasms": 0.10,
    "other": 0.0,
}  # fmt: skip
RISK_HEART_FAILURE = 0.20
RISK_KIDNEY_DISEASE = 0.25
RISK_CARDIORENAL = 0.80  # heart failure and kidney disease together, beyond the two apart
RISK_METASTATIC_CANCER = 0.45
RISK_UNCONTROLLED_DIABETES = 0.15
# Log-odds by discharge disposition for a patient with no stay in the year before; the others
# (home among them) add nothing. Each earlier stay multiplies it by DISPOSITION_FADE_PER_STAY:
# the disposition tells about a patient new to hospital what earlier stays already tell about
# a frequent one. In the real extract a discharge to a facility raises the odds about 2.3 times
# after no stay in the year before, 1.2 times after two, and not at all after five. A hospice's
# lower risk (13, 14: comfort care, not a return to hospital) does not fade.
RISK_DISPOSITION = {
    3: 0.80, 4: 0.60, 5: 1.00, 22: 1.10, 23: 0.30, 24: 0.60, 2: 0.80, 6: 0.40, 7: 0.50,
    28: 1.20, 13: -0.70, 14: -0.50, 18: 0.30, 8: 0.40,
}  # fmt: skip
DISPOSITION_FADE_PER_STAY = 0.5
RISK_EMERGENCY_ADMISSION = 0.10
RISK_INSULIN = {"No": 0.0, "Steady": 0.05, "Up": 0.15, "Down": 0.20}
RISK_DIABETES_MEDICATION = 0.10
# HbA1c not measured, by the group of the primary diagnosis (Strack et al. 2014: the
# association of the measurement with readmission depends on the primary diagnosis).
RISK_NO_A1C_TEST = {"diabetes": 1.00}
RISK_GLUCOSE = {"None": 0.0, "Norm": 0.0, ">200": 0.20, ">300": 0.30}
# Old (70+), in hospital a week or more, and sent home without support.
RISK_LONG_STAY_HOME_ALONE = 1.30
# A diabetic crisis of a young adult (under 40, diabetes primary or coded as uncontrolled): in
# the real extract patients in their twenties are readmitted more often than any other band.
RISK_YOUNG_DIABETIC_CRISIS = 1.50
# A readmission after 30 days: log-odds with the same drivers, at this slope.
LATER_READMISSION_INTERCEPT = -1.45
LATER_READMISSION_SLOPE = 0.6

# Independent random streams: the population and the arrivals must not depend on the period.
_POPULATION_STREAM, _ARRIVAL_STREAM, _PERIOD_STREAM = 0, 1, 2


class Simulation(NamedTuple):
    """What `simulate` returns: the encounters and, row for row, their ground truth.

    `rows` has the columns of config/pipeline.yaml in encounter (time) order, missing values
    coded ``?`` as in the real file. `truth` has encounter_id and readmission_probability,
    the true probability that ``readmitted`` is ``<30`` (the oracle's score).
    """

    rows: pd.DataFrame
    truth: pd.DataFrame


class _Population(NamedTuple):
    patient_nbr: np.ndarray  # object array of digit strings
    race: np.ndarray  # object array
    gender: np.ndarray  # object array
    age: np.ndarray  # years, on REFERENCE_DATE
    frailty: np.ndarray
    admissions_per_day: np.ndarray
    main_group: np.ndarray  # index into DIAGNOSIS_GROUPS
    chronic_codes: np.ndarray  # (n, 2) indices into the secondary code table
    insulin_user: np.ndarray
    oral_drug_user: np.ndarray


class _CodeTable(NamedTuple):
    """ICD-9 codes of one table with their groups, for vectorised draws."""

    codes: np.ndarray  # object array
    group: np.ndarray  # index into DIAGNOSIS_GROUPS
    cumulative_by_group: list[np.ndarray]  # per group: (indices, cumulative probabilities)
    cumulative: np.ndarray  # over the whole table, groups weighted by their share


def simulate(
    population: int,
    days: int,
    *,
    seed: int = 42,
    start: str = "2026-01-01",
    drift: bool = False,
) -> Simulation:
    """Simulate the hospital encounters of `population` diabetic patients over `days` days.

    `start` is an ISO date (from 1991 on). Calling again with a later `start` and the same
    `population` and `seed` continues the same patients' story with new encounter ids;
    `drift=True` shifts the case mix (see the module docstring).
    """
    if population < 1 or days < 1:
        raise ValueError("population and days must be at least 1")
    first_day = (dt.date.fromisoformat(start) - EPOCH).days
    if first_day < BLOCK_DAYS:
        raise ValueError(f"start must be {EPOCH.year + 1}-01-01 or later, got {start}")
    pop = _population(population, seed)
    period_seed = np.random.SeedSequence([seed, _PERIOD_STREAM, population, first_day, int(drift)])
    extra_rng, stay_rng, label_rng = (np.random.default_rng(s) for s in period_seed.spawn(3))

    # Every stay from a year before the period to its end: the year before counts as history.
    patient, day, number = _arrivals(pop, seed, first_day - BLOCK_DAYS, first_day + days)
    if number.max(initial=0) >= DRIFT_ID_OFFSET:
        raise ValueError("population too large: more stays in a day than encounter ids allow")
    if drift:
        extra = _drift_arrivals(pop, first_day, days, extra_rng)
        patient, day, number = (
            np.concatenate(pair) for pair in zip((patient, day, number), extra, strict=True)
        )
    stays_in_past_year = _earlier_stays_within_a_year(patient, day, number)
    in_period = day >= first_day
    order = np.lexsort((number[in_period], day[in_period]))
    patient, day = patient[in_period][order], day[in_period][order]
    encounter_id = day * ID_DAY_FACTOR + number[in_period][order]
    stays_in_past_year = stays_in_past_year[in_period][order]

    stays = _stays(pop, patient, day, stays_in_past_year, drift, stay_rng)
    frame = pd.DataFrame(
        {
            "encounter_id": encounter_id.astype(str).astype(object),
            "patient_nbr": pop.patient_nbr[patient],
            "race": pop.race[patient],
            "gender": pop.gender[patient],
            **stays,
        }
    )
    log_odds = readmission_log_odds(frame)
    if drift:
        home = pd.to_numeric(frame["discharge_disposition_id"], errors="coerce") == HOME_DISPOSITION
        log_odds = log_odds + np.where(home, np.log(DRIFT_HOME_FOLLOW_UP_ODDS), 0.0)
    cannot_return = frame["discharge_disposition_id"].isin(CANNOT_BE_READMITTED).to_numpy()
    probability = np.where(cannot_return, 0.0, 1 / (1 + np.exp(-log_odds)))
    later = LATER_READMISSION_INTERCEPT + LATER_READMISSION_SLOPE * (log_odds - RISK_INTERCEPT)
    later_probability = np.where(cannot_return, 0.0, 1 / (1 + np.exp(-later)))
    draw = label_rng.random((2, len(patient)))
    readmitted = np.where(
        draw[0] < probability, "<30", np.where(draw[1] < later_probability, ">30", "NO")
    ).astype(object)

    frame = frame.assign(readmitted=readmitted)[list(COLUMNS)]
    truth = pd.DataFrame(
        {"encounter_id": frame["encounter_id"], "readmission_probability": probability}
    )
    return Simulation(frame, truth)


def readmission_log_odds(rows: pd.DataFrame) -> np.ndarray:
    """The true log-odds of readmission within 30 days of each encounter (RISK_* constants).

    Reads only columns a model sees at discharge (never race, gender, the ids or the label),
    so the truth is observable by construction. A missing diagnosis may be NaN or "?".
    """

    def number(column: str, cap: int) -> np.ndarray:
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(np.float64, na_value=0.0)
        return np.minimum(values, cap)

    def text(column: str) -> pd.Series:
        return rows[column].astype("string").fillna(MISSING)

    diagnoses = [text(column) for column in ("diag_1", "diag_2", "diag_3")]
    stems = [codes.str.split(".", n=1).str[0] for codes in diagnoses]

    def anywhere(stem_set: frozenset[str]) -> np.ndarray:
        return np.any([stem.isin(stem_set).to_numpy() for stem in stems], axis=0)

    uncontrolled = np.any(
        [
            codes.str.fullmatch(UNCONTROLLED_DIABETES_CODES).to_numpy(dtype=bool)
            for codes in diagnoses
        ],
        axis=0,
    )
    primary_group = diagnoses[0].map(_PRIMARY_GROUP_OF_CODE).fillna("other")
    diabetes_primary = (primary_group == "diabetes").to_numpy(dtype=bool)
    band = text("age").map({band: i for i, band in enumerate(AGE_BANDS)}).to_numpy(np.int64)
    discharge = text("discharge_disposition_id")
    admission_type, admission_source = text("admission_type_id"), text("admission_source_id")
    emergency = (admission_type == "1") | (admission_source == "7")
    prior_stays = number("number_inpatient", len(RISK_PRIOR_STAYS) - 1).astype(np.int64)
    stay_days = np.clip(number("time_in_hospital", MAX_STAY_DAYS), 1, MAX_STAY_DAYS)
    disposition = (
        discharge.map({str(k): v for k, v in RISK_DISPOSITION.items()}).fillna(0.0).to_numpy()
    )
    # What a disposition adds fades with every earlier stay; a hospice's lower risk does not.
    disposition = np.where(
        disposition > 0, disposition * DISPOSITION_FADE_PER_STAY**prior_stays, disposition
    )
    old = band >= 7
    long_stay_home_alone = old & (stay_days >= 7) & (discharge == "1").to_numpy(bool)
    polypharmacy = number("num_medications", 1_000) >= POLYPHARMACY_MEDICATIONS
    heart_failure, kidney_disease = anywhere(HEART_FAILURE_CODES), anywhere(KIDNEY_DISEASE_CODES)
    no_a1c_test = (text("A1Cresult") == "None").to_numpy(dtype=bool)
    log_odds = (
        RISK_INTERCEPT
        + np.array(RISK_PRIOR_STAYS)[prior_stays]
        + RISK_PER_LOG_EMERGENCY * np.log1p(number("number_emergency", 10))
        + RISK_PER_LOG_OUTPATIENT * np.log1p(number("number_outpatient", 10))
        + np.array(RISK_STAY_DAYS)[stay_days.astype(np.int64) - 1]
        + RISK_PER_DIAGNOSIS * number("number_diagnoses", 9)
        + RISK_POLYPHARMACY * polypharmacy
        + RISK_OLD_POLYPHARMACY * (old & polypharmacy)
        + np.array(RISK_AGE_BAND)[band]
        + primary_group.map(RISK_PRIMARY_GROUP).to_numpy(np.float64)
        + RISK_HEART_FAILURE * heart_failure
        + RISK_KIDNEY_DISEASE * kidney_disease
        + RISK_CARDIORENAL * (heart_failure & kidney_disease)
        + RISK_METASTATIC_CANCER * anywhere(METASTATIC_CANCER_CODES)
        + RISK_UNCONTROLLED_DIABETES * uncontrolled
        + disposition
        + RISK_EMERGENCY_ADMISSION * emergency.to_numpy(dtype=bool)
        + text("insulin").map(RISK_INSULIN).to_numpy(np.float64)
        + RISK_DIABETES_MEDICATION * (text("diabetesMed") == "Yes").to_numpy(dtype=bool)
        + primary_group.map(RISK_NO_A1C_TEST).fillna(0.0).to_numpy(np.float64) * no_a1c_test
        + text("max_glu_serum").map(RISK_GLUCOSE).to_numpy(np.float64)
        + RISK_LONG_STAY_HOME_ALONE * long_stay_home_alone
        + RISK_YOUNG_DIABETIC_CRISIS * ((band < 4) & (diabetes_primary | uncontrolled))
    )
    return np.asarray(log_odds, dtype=np.float64)


def _population(n: int, seed: int) -> _Population:
    """The patients: a function of (n, seed) only."""
    rng = np.random.default_rng([seed, _POPULATION_STREAM, n])
    patient_nbr = rng.choice(200_000_000 - 100_000, size=n, replace=False) + 100_000
    race = _choice(rng, RACE_SHARE, n)
    gender = _choice(rng, GENDER_SHARE, n)
    band = rng.choice(len(AGE_BANDS), size=n, p=_normalised(AGE_BAND_SHARE))
    age = 10.0 * band + rng.uniform(0.0, 10.0, size=n)
    frailty = rng.gamma(FRAILTY_SHAPE, 1 / FRAILTY_SHAPE, size=n)
    admissions_per_day = (
        ADMISSIONS_PER_YEAR / 365.0 * frailty * np.exp(AGE_RATE_SLOPE * (age - 65.0))
    )
    main_group = rng.choice(len(DIAGNOSIS_GROUPS), size=n, p=_normalised(PRIMARY_GROUP_SHARE))
    chronic_codes = _draw_code(_SECONDARY.cumulative, rng.random((n, 2)))
    return _Population(
        patient_nbr=patient_nbr.astype(str).astype(object),
        race=race,
        gender=gender,
        age=age,
        frailty=frailty,
        admissions_per_day=admissions_per_day,
        main_group=main_group,
        chronic_codes=chronic_codes,
        insulin_user=rng.random(n) < INSULIN_USER_SHARE,
        oral_drug_user=rng.random(n) < ORAL_DRUG_USER_SHARE,
    )


def _arrivals(
    pop: _Population, seed: int, first_day: int, end_day: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patient, day, number of the stay that day) of every stay in [first_day, end_day).

    Drawn per block of BLOCK_DAYS days from a generator seeded by the block, so a stay is on
    the same day with the same number whichever period asks for it.
    """
    n = len(pop.patient_nbr)
    parts = []
    for block in range(first_day // BLOCK_DAYS, (end_day - 1) // BLOCK_DAYS + 1):
        rng = np.random.default_rng([seed, _ARRIVAL_STREAM, n, block])
        counts = rng.poisson(pop.admissions_per_day * BLOCK_DAYS)
        patient = np.repeat(np.arange(n), counts)
        day = block * BLOCK_DAYS + rng.integers(BLOCK_DAYS, size=len(patient))
        number = _number_within_day(day, rng.random(len(patient)))
        parts.append((patient, day, number))
    patient, day, number = (np.concatenate(field) for field in zip(*parts, strict=True))
    keep = (day >= first_day) & (day < end_day)
    return patient[keep], day[keep], number[keep]


def _drift_arrivals(
    pop: _Population, first_day: int, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drifted traffic: extra stays of old patients, numbered from DRIFT_ID_OFFSET each day."""
    old = pop.age >= DRIFT_OLD_AGE
    rate = np.where(old, pop.admissions_per_day * (DRIFT_OLD_ADMISSION_FACTOR - 1.0), 0.0)
    counts = rng.poisson(rate * days)
    patient = np.repeat(np.arange(len(rate)), counts)
    day = first_day + rng.integers(days, size=len(patient))
    number = DRIFT_ID_OFFSET - 1 + _number_within_day(day, rng.random(len(patient)))
    return patient, day, number


def _number_within_day(day: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """1, 2, ... for the stays of each day, in the order of `tiebreak`."""
    order = np.lexsort((tiebreak, day))
    sorted_day = day[order]
    first_of_day = np.flatnonzero(np.r_[True, sorted_day[1:] != sorted_day[:-1]])
    rank = np.arange(len(day)) - np.repeat(first_of_day, np.diff(np.r_[first_of_day, len(day)]))
    number = np.empty(len(day), dtype=np.int64)
    number[order] = rank + 1
    return number


def _earlier_stays_within_a_year(
    patient: np.ndarray, day: np.ndarray, number: np.ndarray
) -> np.ndarray:
    """For each stay, the same patient's stays in the BLOCK_DAYS days before it."""
    order = np.lexsort((number, day, patient))
    key = patient[order] * (day.max(initial=0) + BLOCK_DAYS + 1) + day[order]
    window_start = np.searchsorted(key, key - BLOCK_DAYS, side="left")
    earlier = np.empty(len(patient), dtype=np.int64)
    earlier[order] = np.arange(len(patient)) - window_start
    return earlier


def _stays(
    pop: _Population,
    patient: np.ndarray,
    day: np.ndarray,
    stays_in_past_year: np.ndarray,
    drift: bool,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The columns of each stay, from admission to discharge."""
    n = len(patient)
    frailty = pop.frailty[patient]
    log_frailty = np.log(frailty)
    age = np.clip(pop.age[patient] + (day - _REFERENCE_DAY) / 365.25, 0.0, 99.99)
    band = (age // 10).astype(np.int64)

    # Admission.
    type_share = dict(ADMISSION_TYPE_SHARE)
    if drift:
        type_share[1] *= DRIFT_EMERGENCY_FACTOR
    admission_type = _choice(rng, type_share, n).astype(np.int64)
    kind = np.where(
        np.isin(admission_type, list(EMERGENCY_TYPES)),
        "emergency",
        np.where(np.isin(admission_type, list(UNKNOWN_TYPES)), "unknown", "elective"),
    )
    admission_source = np.zeros(n, dtype=np.int64)
    for name, shares in SOURCE_SHARE.items():
        rows = np.flatnonzero(kind == name)
        admission_source[rows] = _choice(rng, shares, len(rows))
    emergency = (admission_type == 1) | (admission_source == 7)

    # Diagnoses: codes as indices into the code tables, -1 where none is coded.
    usual = rng.random(n) < PATIENT_MAIN_CONDITION_SHARE
    group = np.where(
        usual,
        pop.main_group[patient],
        rng.choice(len(DIAGNOSIS_GROUPS), size=n, p=_normalised(PRIMARY_GROUP_SHARE)),
    )
    primary = np.empty(n, dtype=np.int64)
    for g, (indices, cumulative) in enumerate(_PRIMARY.cumulative_by_group):
        rows = np.flatnonzero(group == g)
        primary[rows] = indices[_draw_code(cumulative, rng.random(len(rows)))]
    secondary = _draw_code(_SECONDARY.cumulative, rng.random((n, 2)))
    chronic = rng.random((n, 2)) < CHRONIC_SECONDARY_SHARE
    secondary = np.where(chronic, pop.chronic_codes[patient], secondary)

    coded = (
        CODED_DIAGNOSES_MEAN
        + 0.9 * log_frailty
        + 0.03 * (age - 65.0)
        + CODED_DIAGNOSES_SPREAD * rng.standard_normal(n)
    )
    max_coded = MAX_CODED_DIAGNOSES
    if drift:
        coded += DRIFT_EXTRA_CODED_DIAGNOSES
        max_coded = DRIFT_MAX_CODED_DIAGNOSES
    number_diagnoses = np.clip(np.round(coded), 1, max_coded).astype(np.int64)
    uncoded = rng.random((3, n)) < np.array(UNCODED_SHARE)[:, None]
    primary[uncoded[0]] = -1
    secondary[(number_diagnoses < 2) | uncoded[1], 0] = -1
    secondary[(number_diagnoses < 3) | uncoded[2], 1] = -1
    primary_group = np.where(primary >= 0, _PRIMARY.group[primary], _GROUP["other"])
    is_cancer = primary_group == _GROUP["neoplasms"]

    # The stay.
    stay_mean = STAY_EXTRA_DAYS * np.exp(0.25 * log_frailty + 0.005 * (age - 65.0))
    time_in_hospital = np.minimum(
        1 + rng.poisson(rng.gamma(3.0, stay_mean / 3.0)), MAX_STAY_DAYS
    ).astype(np.int64)
    lab = (
        LAB_TESTS_BASE
        + LAB_TESTS_PER_DAY * time_in_hospital
        + LAB_TESTS_SPREAD * rng.standard_normal(n)
    )
    lab = np.where(rng.random(n) < FEW_LAB_TESTS_SHARE, rng.integers(1, 6, size=n), lab)
    num_lab_procedures = np.clip(np.round(lab), 1, 132).astype(np.int64)
    surgical = np.isin(primary_group, [_GROUP["circulatory"], _GROUP["musculoskeletal"]])
    procedures_mean = np.where(surgical, 2.0, 1.0) * np.where(kind == "elective", 1.6, 1.0)
    num_procedures = np.minimum(rng.poisson(procedures_mean), MAX_PROCEDURES).astype(np.int64)
    medications = np.exp(
        np.log(MEDICATIONS_MEDIAN)
        + 0.15 * log_frailty
        + MEDICATIONS_PER_DAY * time_in_hospital
        + MEDICATIONS_SIGMA * rng.standard_normal(n)
    )
    num_medications = np.clip(np.round(medications), 1, 81).astype(np.int64)

    # Visits in the year before the stay.
    visits = frailty**VISITS_PER_LOG_FRAILTY
    emergency_rate = EMERGENCY_VISITS_PER_YEAR * (DRIFT_EMERGENCY_VISIT_FACTOR if drift else 1.0)
    number_inpatient = stays_in_past_year + rng.poisson(OUTSIDE_STAYS_PER_YEAR * frailty)
    number_emergency = rng.poisson(emergency_rate * visits * rng.gamma(0.5, 2.0, size=n))
    number_outpatient = rng.poisson(OUTPATIENT_VISITS_PER_YEAR * visits * rng.gamma(0.4, 2.5, n))

    # Diabetes care.
    diabetes_primary = primary_group == _GROUP["diabetes"]
    a1c_share = np.where(diabetes_primary, A1C_TEST_SHARE["diabetes"], A1C_TEST_SHARE["other"])
    if drift:
        a1c_share = a1c_share * DRIFT_A1C_TEST_FACTOR
    a1c = np.where(rng.random(n) < a1c_share, _choice(rng, A1C_RESULT_SHARE, n), "None")
    glucose_share = np.where(
        emergency, GLUCOSE_TEST_SHARE["emergency"], GLUCOSE_TEST_SHARE["other"]
    )
    glucose = np.where(rng.random(n) < glucose_share, _choice(rng, GLUCOSE_RESULT_SHARE, n), "None")
    insulin = np.where(pop.insulin_user[patient], _choice(rng, INSULIN_DOSE_SHARE, n), "No")
    insulin_changed = np.isin(insulin, ["Up", "Down"])
    oral = pop.oral_drug_user[patient]
    change = insulin_changed | (oral & (rng.random(n) < ORAL_DRUG_CHANGE_SHARE))
    diabetes_medication = (insulin != "No") | oral

    # Discharge.
    codes = np.array(list(DISPOSITIONS), dtype=np.int64)
    logits = (
        np.log([d.share for d in DISPOSITIONS.values()])[None, :]
        + np.array([d.per_decade for d in DISPOSITIONS.values()])[None, :]
        * ((age - 65.0) / 10.0)[:, None]
        + np.array([d.per_log_frailty for d in DISPOSITIONS.values()])[None, :]
        * log_frailty[:, None]
    )
    dying = np.isin(codes, [*CANNOT_BE_READMITTED, *HOSPICE])
    logits[:, dying] += MORE_DEATHS_WITH_CANCER * is_cancer[:, None]
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    discharge = codes[_draw_index(cumulative, rng.random(n))]

    def code_text(index: np.ndarray, table: _CodeTable) -> np.ndarray:
        return np.where(index >= 0, table.codes[np.maximum(index, 0)], MISSING).astype(object)

    rows = {
        "age": np.array(AGE_BANDS, dtype=object)[band],
        "admission_type_id": admission_type,
        "discharge_disposition_id": discharge,
        "admission_source_id": admission_source,
        "time_in_hospital": time_in_hospital,
        "num_lab_procedures": num_lab_procedures,
        "num_procedures": num_procedures,
        "num_medications": num_medications,
        "number_outpatient": number_outpatient.astype(np.int64),
        "number_emergency": number_emergency.astype(np.int64),
        "number_inpatient": number_inpatient.astype(np.int64),
        "diag_1": code_text(primary, _PRIMARY),
        "diag_2": code_text(secondary[:, 0], _SECONDARY),
        "diag_3": code_text(secondary[:, 1], _SECONDARY),
        "number_diagnoses": number_diagnoses,
        "max_glu_serum": glucose.astype(object),
        "A1Cresult": a1c.astype(object),
        "insulin": insulin.astype(object),
        "change": np.where(change, "Ch", "No").astype(object),
        "diabetesMed": np.where(diabetes_medication, "Yes", "No").astype(object),
    }
    return rows


def _code_table(codes_by_group: dict[str, dict[str, float]], group_share) -> _CodeTable:
    codes, groups, weights, by_group = [], [], [], []
    for g, (name, share) in enumerate(zip(DIAGNOSIS_GROUPS, group_share, strict=True)):
        table = codes_by_group[name]
        within = _normalised(list(table.values()))
        by_group.append((np.arange(len(codes), len(codes) + len(table)), np.cumsum(within)))
        codes += list(table)
        groups += [g] * len(table)
        weights += list(share * within)
    return _CodeTable(
        codes=np.array(codes, dtype=object),
        group=np.array(groups, dtype=np.int64),
        cumulative_by_group=by_group,
        cumulative=np.cumsum(_normalised(weights)),
    )


def _choice(rng: np.random.Generator, shares: dict, size: int) -> np.ndarray:
    """`size` keys of `shares` drawn with probabilities proportional to their values."""
    keys = np.array(list(shares), dtype=object)
    return keys[rng.choice(len(keys), size=size, p=_normalised(list(shares.values())))]


def _normalised(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def _draw_code(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Draws from one categorical distribution given by its cumulative probabilities."""
    return np.minimum(np.searchsorted(cumulative, u, side="right"), len(cumulative) - 1)


def _draw_index(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws: the first column whose cumulative probability exceeds u."""
    return np.minimum((u[:, None] >= cumulative).sum(axis=1), cumulative.shape[1] - 1)


_PRIMARY = _code_table(PRIMARY_CODES, PRIMARY_GROUP_SHARE)
_SECONDARY = _code_table(SECONDARY_CODES, SECONDARY_GROUP_SHARE)
_REFERENCE_DAY = (REFERENCE_DATE - EPOCH).days
_GROUP = {name: i for i, name in enumerate(DIAGNOSIS_GROUPS)}
_PRIMARY_GROUP_OF_CODE = {code: group for group, codes in PRIMARY_CODES.items() for code in codes}
