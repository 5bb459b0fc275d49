FROM python:3.13-slim
USER 10001:app
