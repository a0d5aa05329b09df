"""Codes of a TOTP device, computed as an authenticator app would, for tests (never wait)."""

import time

from django_otp.oath import TOTP


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The device's code now, or `steps_ahead` time steps (30 s) later. A device accepts each time
    step once, and one step of drift either way: after a code of this step has been used, the
    next step's code (steps_ahead=1) is accepted at once."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
