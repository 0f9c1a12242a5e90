namespace OrleansNsq.Silo; public static class Program { public static void Main() { } }
