"""Settings of the survey benchmark (``bench_survey.py``), shared by its modules."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"
RESIDENTS = 50
THINK = (0.5, 1.5)
SEED = 20261122
LAT_THREADS_PER_PROC = 10
SAT_CLIENTS = int(os.environ.get("BENCH_SAT_CLIENTS", "16"))
SAT_THREADS_PER_PROC = 4
WARMUP = 1.5 if QUICK else 3.0
LAT_DURATION = 6.0 if QUICK else 20.0
SAT_DURATION = 5.0 if QUICK else 15.0
TIMEOUT = 30
WORKERS = 2
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # "sync" to compare
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
PG_ADMIN = os.environ.get("CLS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TICK = os.sysconf("SC_CLK_TCK")

#: The pages each client answers, with the answer rows each acknowledged page stores.
PAGES = [
    ("profil", {"age": "35_49", "sexe": "f", "quartier": "centre", "foyer": "seul", "langues": "francais",
                "etat_sante": "2", "limitation": "non"}, 7),
    ("acces_soins", {"medecin_traitant": "oui_commune", "mt_depart": "non", "delai_generaliste": "jour",
                     "renoncement": "non", "urgences": "0"}, 5),
    ("bien_etre", {"who5.calme": "3", "stress": "5", "solitude": "jamais", "besoin_psy": "non"}, 4),
]
#: Size of the bare app's page, in blocks of about 200 bytes (about a questionnaire page).
BARE_DIVS = 80
#: What the survey is served once more without, for the saturated phase, in the same run
#: (``survey_variants.py``): each cache of ``survey_app/infra/caches.py``, and
#: Flask-Limiter's request-level check (``limiter_check``).
VARIANTS = [v for v in os.environ.get(
    "BENCH_VARIANTS", "none,shared_pages,conditions,recent_surveys,definitions,limiter_check").split(",") if v]
