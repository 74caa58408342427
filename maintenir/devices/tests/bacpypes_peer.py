"""A BACnet/IP device built on the older `bacpypes` 0.19, not on bacpypes3 as the driver is.

Run as its own process (bacpypes 0.19 has its own core loop):
`python -m maintenir.devices.tests.bacpypes_peer PORT INSTANCE`. It prints "ready" once it listens on
127.0.0.1:PORT and stops when its standard input closes. Its objects:

- analog-value,1: commandable (priority array, relinquish default 20.0), present value 20.0;
- analog-value,2: writable present value but no priority array, 30.0 — a relinquish (NULL) is refused;
- analog-value,3: high-limit 80.0, writable, not commandable;
- analog-value,4: a high-limit whose value is a NULL, not the Real the standard says;
- analog-value,5: a present value (10.0) that accepts one write, then refuses every other (a
  configuration the device locks once set).
"""

import sys
import threading

from bacpypes.app import BIPSimpleApplication
from bacpypes.core import deferred, run, stop
from bacpypes.errors import ExecutionError
from bacpypes.local.device import LocalDeviceObject
from bacpypes.local.object import AnalogValueCmdObject
from bacpypes.object import AnalogValueObject, Property, WritableProperty, register_object_type
from bacpypes.primitivedata import Null, Real
from bacpypes.service.cov import ChangeOfValueServices
from bacpypes.service.object import ReadWritePropertyMultipleServices


class Device(BIPSimpleApplication, ReadWritePropertyMultipleServices, ChangeOfValueServices):
    pass


class SetpointObject(AnalogValueObject):
    """A present value that can be written, without priorities (many controllers' setpoints)."""

    properties = [WritableProperty("presentValue", Real), WritableProperty("highLimit", Real)]


class NullProperty(Property):
    """A high-limit that answers NULL whatever is asked: a device that does not follow the standard's types."""

    def __init__(self) -> None:
        super().__init__("highLimit", Null, default=None, optional=True, mutable=False)

    def ReadProperty(self, obj: object, arrayIndex: int | None = None) -> Null:
        return Null()


class OddObject(AnalogValueObject):
    properties = [NullProperty()]


class OnceWritableProperty(WritableProperty):
    def __init__(self) -> None:
        super().__init__("presentValue", Real)
        self.written = False

    def WriteProperty(
        self,
        obj: object,
        value: object,
        arrayIndex: int | None = None,
        priority: int | None = None,
        direct: bool = False,
    ) -> object:
        if self.written and not direct:
            raise ExecutionError(errorClass="property", errorCode="writeAccessDenied")
        self.written = self.written or not direct
        return super().WriteProperty(obj, value, arrayIndex, priority, direct)


class LockingObject(AnalogValueObject):
    properties = [OnceWritableProperty()]


def main() -> None:
    # bacpypes gathers a class's properties when it is registered; the standard class is registered back
    # last, so that the type of analog-value in the registry stays the standard one.
    for object_class in (AnalogValueCmdObject, SetpointObject, OddObject, LockingObject, AnalogValueObject):
        register_object_type(object_class)
    port, instance = int(sys.argv[1]), int(sys.argv[2])
    device = LocalDeviceObject(
        objectName="Peer-bacpypes",
        objectIdentifier=("device", instance),
        maxApduLengthAccepted=1024,
        segmentationSupported="noSegmentation",
        vendorIdentifier=15,
    )
    app = Device(device, f"127.0.0.1:{port}")
    common = {"statusFlags": [0, 0, 0, 0], "eventState": "normal", "outOfService": False, "units": "degreesCelsius"}
    app.add_object(
        AnalogValueCmdObject(
            objectIdentifier=("analogValue", 1),
            objectName="Setpoint-commanded",
            presentValue=20.0,
            relinquishDefault=20.0,
            **common,
        )
    )
    app.add_object(
        SetpointObject(objectIdentifier=("analogValue", 2), objectName="Setpoint-plain", presentValue=30.0, **common)
    )
    app.add_object(
        SetpointObject(
            objectIdentifier=("analogValue", 3),
            objectName="Alarm-limit",
            presentValue=21.0,
            highLimit=80.0,
            **common,
        )
    )
    app.add_object(OddObject(objectIdentifier=("analogValue", 4), objectName="Odd", presentValue=1.0, **common))
    app.add_object(LockingObject(objectIdentifier=("analogValue", 5), objectName="Locked", presentValue=10.0, **common))

    def watch_stdin() -> None:
        sys.stdin.read()
        deferred(stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("ready", flush=True)
    run()


if __name__ == "__main__":
    main()
