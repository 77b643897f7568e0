"""The web service: the BentoML class that answers /predict over HTTP.

BentoML imports `serving.service:ModelService`; `adapters.server` starts it.
"""
