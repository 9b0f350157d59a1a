package io.lyre.tunnel;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.lyre.tunnel.pki.CertificateAuthority;
import io.lyre.tunnel.proto.AgentMessage;
import io.lyre.tunnel.proto.ExchangeFrame;
import io.lyre.tunnel.proto.JoinRequest;
import io.lyre.tunnel.proto.JoinResponse;
import io.lyre.tunnel.proto.ProxyMessage;
import io.lyre.tunnel.proto.TunnelGrpc;
import io.lyre.tunnel.server.AgentRecord;
import io.lyre.tunnel.server.JoinToken;
import io.lyre.tunnel.server.JoinTokenStore;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC service: Join, Control, Exchange. Callers were already checked by {@link AuthInterceptor}. */
final class TunnelService extends TunnelGrpc.TunnelImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(TunnelService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TunnelServer server;

    TunnelService(TunnelServer server) {
        this.server = server;
    }

    @Override
    public void join(JoinRequest req, StreamObserver<JoinResponse> out) {
        // Listeners run on the transport thread (directExecutor): signing and file writes go to a worker.
        String address = AuthInterceptor.PEER_ADDRESS.get();
        server.blockingExecutor().execute(() -> join(req, out, address));
    }

    private void join(JoinRequest req, StreamObserver<JoinResponse> out, String address) {
        JoinToken token;
        try {
            token = JoinToken.parse(req.getToken());
        } catch (IllegalArgumentException e) {
            refuseJoin(out, address, "malformed join token");
            return;
        }
        CertificateAuthority ca = server.ca();
        if (!token.caFingerprint().equals(ca.fingerprint())) {
            refuseJoin(out, address, "join token " + token.id() + " pins another CA");
            return;
        }
        try {
            server.registry().chooseSlot(req.getRequestedSlot()); // early check; register() decides atomically
        } catch (IllegalStateException e) {
            LOG.warn("join from {} refused: {}", address, e.getMessage());
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        String id = newAgentId();
        X509Certificate cert;
        try {
            cert = ca.signAgentCsr(req.getCsrDer().toByteArray(), id);
        } catch (IllegalArgumentException e) {
            refuseJoin(out, address, e.getMessage());
            return;
        }
        JoinTokenStore.Verdict verdict = server.tokens().consume(token, id);
        if (verdict != JoinTokenStore.Verdict.OK) {
            refuseJoin(out, address, "join token " + token.id() + ": " + verdict.name().toLowerCase().replace('_', ' '));
            return;
        }
        String name = req.getName().isBlank() ? id : req.getName();
        AgentRecord rec;
        try {
            rec = server.registry().register(id, name, req.getLabelsMap(), req.getRequestedSlot(), CertificateAuthority.serialOf(cert),
                    System.currentTimeMillis());
        } catch (IllegalStateException e) {
            out.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        LOG.info("agent {} ({}) joined from {} with slot {}", rec.id(), rec.name(), address, rec.slot());
        try {
            out.onNext(JoinResponse.newBuilder().setAgentId(rec.id()).setSlot(rec.slot())
                    .setClientCertDer(com.google.protobuf.ByteString.copyFrom(cert.getEncoded()))
                    .setCaCertDer(com.google.protobuf.ByteString.copyFrom(ca.certificate().getEncoded())).build());
            out.onCompleted();
        } catch (CertificateEncodingException e) {
            out.onError(Status.INTERNAL.withDescription("cannot encode certificate").asRuntimeException());
        }
    }

    private void refuseJoin(StreamObserver<JoinResponse> out, String address, String reason) {
        server.guard().refused(address, "join refused: " + reason);
        // One message for every token problem: a guesser learns nothing about which part was wrong.
        out.onError(Status.PERMISSION_DENIED.withDescription("join refused: invalid, used or expired token").asRuntimeException());
    }

    @Override
    public StreamObserver<AgentMessage> control(StreamObserver<ProxyMessage> out) {
        return new ControlSession(server, AuthInterceptor.AGENT.get(), AuthInterceptor.PEER_ADDRESS.get(),
                (ServerCallStreamObserver<ProxyMessage>) out);
    }

    @Override
    public StreamObserver<ExchangeFrame> exchanges(StreamObserver<ExchangeFrame> out) {
        AgentRecord agent = AuthInterceptor.AGENT.get();
        Optional<AgentConnection> conn = server.connection(agent.id());
        if (conn.isEmpty()) {
            out.onError(Status.FAILED_PRECONDITION.withDescription("no control session for agent " + agent.id())
                    .asRuntimeException());
            return new StreamObserver<>() {
                @Override
                public void onNext(ExchangeFrame value) {
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            };
        }
        ExchangeMux mux = ExchangeMux.onServerCall((ServerCallStreamObserver<ExchangeFrame>) out, agent.name(),
                server.config().maxFrameBytes(), server.receiveBudget());
        if (!conn.get().attach(mux, server.exchangeConnections())) {
            LOG.warn("agent {} ({}): an exchange stream past the {} asked for refused", agent.id(), agent.name(),
                    server.exchangeConnections());
            mux.close(new TunnelException(409, "agent " + agent.id() + " has its " + server.exchangeConnections()
                    + " exchange streams already"));
        } else {
            // which loop each stream landed on: one per loop, or requests on a loop without one hand off (see pick())
            LOG.info("agent {} ({}): an exchange stream is up on {}; {} of the {} asked for are up", agent.id(),
                    agent.name(), mux.loop().getName(), conn.get().exchangeStreams(), server.exchangeConnections());
        }
        return mux.inbound();
    }

    private static String newAgentId() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder("agent-");
        for (int i = 0; i < 8; i++) {
            b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
