import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to one address (the first argument), the jar's own options after it.
 *
 * The jar has no host option: its DynamoDBProxyServer makes a Jetty Server(port), whose connector binds every
 * interface, and it has no authentication. This builds the server as the jar's ServerRunner does, sets the host on
 * its connector before anything is bound, then starts it; a failed bind exits non-zero instead of only printing.
 */
public final class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: LoopbackDynamoDBLocal <host> [DynamoDB Local options]");
        }
        String host = args[0];
        String[] options = java.util.Arrays.copyOfRange(args, 1, args.length);
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(options);
        Field jetty = DynamoDBProxyServer.class.getDeclaredField("server");
        jetty.setAccessible(true);
        Connector[] connectors = ((Server) jetty.get(proxy)).getConnectors();
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local made no connector to bind");
        }
        for (Connector connector : connectors) {
            ((ServerConnector) connector).setHost(host);
        }
        proxy.safeStart();
        System.out.println("DynamoDB Local listening on " + host + " only");
        proxy.join();
    }
}
