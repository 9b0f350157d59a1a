package io.lyre.devices;

/** Whether a device can take work now. UNHEALTHY devices are listed so admins see them, never scheduled. */
public enum Health {
    HEALTHY, UNHEALTHY, UNKNOWN
}
