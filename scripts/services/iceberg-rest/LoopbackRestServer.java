// Runs Apache Iceberg's REST catalog fixture server (org.apache.iceberg.rest.RESTCatalogServer,
// configured by CATALOG_* environment variables) on 127.0.0.1 only: the fixture's own main()
// listens on every interface. The backend catalog and the request adapter are the fixture's own
// (reached by reflection: they are package-private); only the Jetty connector differs.
// Launched by scripts/services/iceberg-rest.sh as `java -cp <fixture classpath> LoopbackRestServer.java`.
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.util.Map;
import org.apache.iceberg.rest.RESTCatalogAdapter;
import org.apache.iceberg.rest.RESTCatalogServlet;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

public class LoopbackRestServer {
  public static void main(String[] args) throws Exception {
    String host = System.getenv().getOrDefault("AISHELL_REST_HOST", "127.0.0.1");
    int port = Integer.parseInt(System.getenv().getOrDefault("CATALOG_REST_PORT", "8181"));

    Class<?> serverClass = Class.forName("org.apache.iceberg.rest.RESTCatalogServer");
    Constructor<?> serverCtor = serverClass.getDeclaredConstructor();
    serverCtor.setAccessible(true);
    Object fixture = serverCtor.newInstance();
    Method init = serverClass.getDeclaredMethod("initializeBackendCatalog");
    init.setAccessible(true);
    Object context = init.invoke(fixture);

    Class<?> contextClass = Class.forName("org.apache.iceberg.rest.RESTCatalogServer$CatalogContext");
    Class<?> adapterClass = Class.forName("org.apache.iceberg.rest.RESTServerCatalogAdapter");
    Constructor<?> adapterCtor = adapterClass.getDeclaredConstructor(contextClass);
    adapterCtor.setAccessible(true);
    RESTCatalogAdapter adapter = (RESTCatalogAdapter) adapterCtor.newInstance(context);

    ServletContextHandler handler = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    handler.addServlet(new ServletHolder(new RESTCatalogServlet(adapter)), "/*");
    handler.insertHandler(new GzipHandler());
    Server server = new Server(new InetSocketAddress(host, port));
    server.setHandler(handler);
    server.start();
    System.out.println("aishell: Iceberg REST fixture listening on http://" + host + ":" + port);
    server.join();
  }
}
