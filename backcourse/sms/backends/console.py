import sys


class SmsBackend:
    def send(self, message) -> None:
        sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
