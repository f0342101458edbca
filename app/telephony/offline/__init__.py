"""The offline phone network: simulated Israeli leads who pick up and talk Hebrew."""

from app.telephony.offline.network import OfflineTelephony, PhoneTimes

__all__ = ["OfflineTelephony", "PhoneTimes"]
