FROM python:3.13-slim
RUN useradd -u 10001 api
USER api
