package io.sparklstm.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import java.net.InetAddress;
import java.util.HashMap;
import okhttp3.mockwebserver.MockWebServer;

/** The Kubernetes API stand-in of the Kubernetes tests: fabric8's mock server in CRUD mode on 127.0.0.1, a client. */
final class KubernetesStandIn implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    KubernetesStandIn(KubernetesCrudDispatcher dispatcher) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    KubernetesClient client() {
        return client;
    }

    /** The master URL spark-submit takes: {@code k8s://http://host:port}. */
    String master() {
        return "k8s://http://" + server.getHostName() + ":" + server.getPort();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
