"""The report's two studies as code: parameters, data, model families, and their claims.

:mod:`densitylab.studies.moons` (two-moons in 2-D) and :mod:`densitylab.studies.digits`
(scikit-learn's 8×8 digits in 64-D) each hold the study's parameter schema, the
construction of its data and model families, and the computations behind its
figures. The notebooks call them in short, visible cells; the words of the report
come from :mod:`densitylab.studies.claims`.
"""

# Nothing at package level: each study and each helper is imported from its own module.
__all__: list[str] = []
