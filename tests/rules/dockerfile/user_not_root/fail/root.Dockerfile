FROM python:3.13-slim
USER 10001:10001
RUN pip install --user app
USER root
CMD ["app"]
