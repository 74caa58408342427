from django.db import models
from django.utils.translation import gettext_lazy as _


class Protocol(models.TextChoices):
    MODBUS_TCP = "modbus_tcp", _("Modbus TCP")
    BACNET_IP = "bacnet_ip", _("BACnet/IP")
    KNX_IP = "knx_ip", _("KNX/IP")
    OPC_UA = "opc_ua", _("OPC UA")
    MQTT = "mqtt", _("MQTT")


DEFAULT_PORTS = {
    Protocol.MODBUS_TCP: 502,
    Protocol.BACNET_IP: 47808,
    Protocol.KNX_IP: 3671,
    Protocol.OPC_UA: 4840,
    Protocol.MQTT: 1883,
}


class DeviceStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not polled yet")
    ONLINE = "online", _("Online")
    UNREACHABLE = "unreachable", _("Unreachable")


class RegisterType(models.TextChoices):
    """Modbus tables."""

    HOLDING = "holding", _("Holding register")
    INPUT = "input", _("Input register")
    COIL = "coil", _("Coil")
    DISCRETE = "discrete", _("Discrete input")


BIT_TABLES = frozenset({RegisterType.COIL, RegisterType.DISCRETE})


class DataType(models.TextChoices):
    INT16 = "int16", "int16"
    UINT16 = "uint16", "uint16"
    INT32 = "int32", "int32"
    UINT32 = "uint32", "uint32"
    INT64 = "int64", "int64"
    UINT64 = "uint64", "uint64"
    FLOAT32 = "float32", "float32"
    FLOAT64 = "float64", "float64"
    BOOL = "bool", _("Boolean")


# Registers (16 bits) per value.
REGISTER_COUNT = {
    DataType.INT16: 1,
    DataType.UINT16: 1,
    DataType.INT32: 2,
    DataType.UINT32: 2,
    DataType.INT64: 4,
    DataType.UINT64: 4,
    DataType.FLOAT32: 2,
    DataType.FLOAT64: 4,
    DataType.BOOL: 1,
}


class WordOrder(models.TextChoices):
    BIG = "big", _("Big-endian words (high word first)")
    LITTLE = "little", _("Little-endian words (low word first)")


class Quality(models.TextChoices):
    GOOD = "good", _("Good")
    OUT_OF_RANGE = "out_of_range", _("Out of range")
    BAD = "bad", _("Bad")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied and verified")
    FAILED = "failed", _("Failed, undone")
    LEFT_CHANGED = "left_changed", _("Failed, device left changed")
    REVERTED = "reverted", _("Reverted")
