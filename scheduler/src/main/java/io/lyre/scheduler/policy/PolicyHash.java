package io.lyre.scheduler.policy;

import io.lyre.scheduler.model.Affinity;
import io.lyre.scheduler.model.DeviceAsk;
import io.lyre.scheduler.model.Requirement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A short, stable hash of an effective requirement, written into container labels and the store, so that the
 * proxy can tell a container placed under an older policy from one placed under the current one.
 */
public final class PolicyHash {

    private PolicyHash() {
    }

    public static String of(Requirement r) {
        StringBuilder s = new StringBuilder();
        s.append("cores=").append(r.milliCores()).append(";memory=").append(r.memoryBytes());
        for (DeviceAsk a : r.devices()) {
            s.append(";device=").append(a.kind()).append('/').append(a.vendorKey()).append('/').append(a.count())
                    .append('/').append(a.sharing().maxAppsPerDevice());
            a.constraints().forEach(c -> s.append("/c:").append(c.source()));
            for (Affinity af : a.affinities()) {
                s.append("/a:").append(af.when().source()).append('@').append(af.weight());
            }
        }
        r.engineLabels().forEach(c -> s.append(";label=").append(c.source()));
        r.slot().ifPresent(slot -> s.append(";slot=").append(slot));
        s.append(";reschedule=").append(r.reschedule());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
