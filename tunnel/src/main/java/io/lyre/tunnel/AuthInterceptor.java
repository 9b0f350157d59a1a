package io.lyre.tunnel;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.lyre.tunnel.pki.CertificateAuthority;
import io.lyre.tunnel.proto.TunnelGrpc;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.AgentRegistry;
import io.lyre.tunnel.server.RefusalGuard;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Decides who may call what, per call: blocked addresses are refused outright; Join needs no certificate;
 * every other call needs a client certificate from our CA whose serial belongs to a registered agent that
 * is not revoked. Each refusal is logged and counted against the caller's address.
 */
final class AuthInterceptor implements ServerInterceptor {

    static final Context.Key<String> PEER_ADDRESS = Context.key("lyre-peer-address");
    static final Context.Key<AgentRecord> AGENT = Context.key("lyre-agent");
    private static final String VERIFIED_PEER = "io.lyre.tunnel.verified-peer";

    /** Kept in the SSL session once its client certificate passed the CA checks. */
    private record VerifiedPeer(String serial, long notAfterMillis) {
    }

    private final CertificateAuthority ca;
    private final AgentRegistry registry;
    private final RefusalGuard guard;

    AuthInterceptor(CertificateAuthority ca, AgentRegistry registry, RefusalGuard guard) {
        this.ca = ca;
        this.registry = registry;
        this.guard = guard;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String address = addressOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        if (guard.isBlocked(address)) {
            call.close(Status.UNAVAILABLE.withDescription("too many refused attempts from " + address + "; try later"),
                    new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context ctx = Context.current().withValue(PEER_ADDRESS, address);
        String method = call.getMethodDescriptor().getFullMethodName();
        if (method.equals(TunnelGrpc.getJoinMethod().getFullMethodName())) {
            return Contexts.interceptCall(ctx, call, headers, next);
        }
        SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        String serial = verifiedSerial(ssl);
        if (serial == null) {
            Optional<X509Certificate> cert = clientCertificate(ssl);
            if (cert.isEmpty()) {
                return refuse(call, address, Status.UNAUTHENTICATED, "no client certificate for " + method);
            }
            if (!ca.issued(cert.get())) {
                return refuse(call, address, Status.UNAUTHENTICATED, "client certificate not issued by this proxy's CA ("
                        + cert.get().getSubjectX500Principal() + ")");
            }
            serial = CertificateAuthority.serialOf(cert.get());
            // The certificate of a TLS session never changes: verify it once per connection, not once per exchange
            // (the hex serial alone was 3 % of the proxy's CPU). The registry is still asked on every call below.
            ssl.putValue(VERIFIED_PEER, new VerifiedPeer(serial, cert.get().getNotAfter().getTime()));
        }
        Optional<AgentRecord> agent = registry.findBySerialForCall(serial);
        if (agent.isEmpty()) {
            return refuse(call, address, Status.UNAUTHENTICATED, "unknown agent certificate (serial " + serial + ")");
        }
        if (agent.get().revoked()) {
            return refuse(call, address, Status.PERMISSION_DENIED, "agent " + agent.get().id() + " ("
                    + agent.get().name() + ") is revoked");
        }
        return Contexts.interceptCall(ctx.withValue(AGENT, agent.get()), call, headers, next);
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String address, Status status, String reason) {
        guard.refused(address, reason);
        call.close(status.withDescription(reason), new Metadata());
        return new ServerCall.Listener<>() { };
    }

    /** The serial of the session's certificate when it was verified before and has not expired since; else null. */
    private static String verifiedSerial(SSLSession ssl) {
        if (ssl == null) {
            return null;
        }
        Object v = ssl.getValue(VERIFIED_PEER);
        return v instanceof VerifiedPeer p && System.currentTimeMillis() < p.notAfterMillis() ? p.serial() : null;
    }

    private static Optional<X509Certificate> clientCertificate(SSLSession ssl) {
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    static String addressOf(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
        }
        return String.valueOf(a);
    }
}
