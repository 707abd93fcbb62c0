"""The questionnaires shipped with the service (data only): ``resident.yaml``,
``professional.yaml`` and their JSON Schema, read with :mod:`importlib.resources` so that
an installed wheel finds them as a source checkout does."""
from importlib.resources import files

#: The folder of the shipped questionnaires (a real directory once installed).
FOLDER = files(__name__)
