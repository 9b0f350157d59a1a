package io.lyre.proxy.docker;

/** Where one ExApp's container lives: the engine and the container's name (nc_app_&lt;app&gt;). */
public record ExAppPlacement(String appId, Engine engine, String containerName) {
}
