log_types = ["authenticator"]
