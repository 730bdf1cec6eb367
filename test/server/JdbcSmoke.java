// A tiny JDBC client for test_java_clients.py: runs queries through the Trino JDBC driver
// against `aishell serve` and prints what it read, one line per row (tab-separated).
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;

public class JdbcSmoke {
  static void print(String label, ResultSet rs, int... columns) throws Exception {
    ResultSetMetaData md = rs.getMetaData();
    while (rs.next()) {
      StringBuilder line = new StringBuilder(label);
      int n = columns.length > 0 ? columns.length : md.getColumnCount();
      for (int i = 0; i < n; i++) {
        int c = columns.length > 0 ? columns[i] : i + 1;
        line.append('\t').append(rs.getString(c));
      }
      System.out.println(line);
    }
  }

  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0], "tester", null)) {
      try (Statement st = conn.createStatement()) {
        ResultSet rs = st.executeQuery("SELECT id, name, age FROM people ORDER BY id LIMIT 3");
        ResultSetMetaData md = rs.getMetaData();
        System.out.println("types\t" + md.getColumnTypeName(1) + "\t" + md.getColumnTypeName(2));
        print("row", rs);
        print("nested", st.executeQuery(
            "SELECT CAST(ROW(1, ARRAY['a', 'b']) AS ROW(n INTEGER, tags ARRAY(VARCHAR))), "
            + "CAST(12.50 AS DECIMAL(6,2)), DATE '2024-01-02'"));
      }
      try (PreparedStatement ps = conn.prepareStatement("SELECT name FROM people WHERE id = ?")) {
        ps.setLong(1, 2);
        print("prepared", ps.executeQuery());
        ResultSetMetaData pmd = ps.getMetaData();  // DESCRIBE OUTPUT
        System.out.println("prepared-meta\t" + pmd.getColumnName(1) + "\t"
            + pmd.getColumnTypeName(1));
      }
      DatabaseMetaData meta = conn.getMetaData();
      System.out.println("product\t" + meta.getDatabaseProductName() + "\t"
          + meta.getDatabaseProductVersion());
      print("catalog", meta.getCatalogs(), 1);
      print("schema", meta.getSchemas("shop", null), 1, 2);
      print("table", meta.getTables("lake", "default", "%", null), 1, 2, 3, 4);
      print("column", meta.getColumns("shop", "main", "items", null), 4, 5, 6);
      try (Statement st = conn.createStatement()) {
        st.executeQuery("SELECT nope FROM people");
      } catch (java.sql.SQLException e) {
        System.out.println("error\t" + e.getMessage());
      }
    }
  }
}
