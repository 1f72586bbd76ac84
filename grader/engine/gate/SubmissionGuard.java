package streaminggrader;

import java.util.Set;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.SparkSessionExtensionsProvider;
import org.apache.spark.sql.catalyst.FunctionIdentifier$;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import scala.Function1;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Keeps what a submission runs on the shared engine within its own session.
 *
 * No code of its own in the engine's JVM, where it would run beside every other grading with the
 * engine's rights: no jars, files or archives added at run time, no functions created from classes
 * or SQL, and no calls of Java methods by name ({@code reflect}, {@code java_method},
 * {@code try_reflect}, which can load a native library). Python UDFs and foreachBatch functions
 * run in the engine's Python workers, which are confined apart.
 *
 * Nothing that outlives the session: no tables, databases, persistent or global temporary views
 * (the catalog and {@code global_temp} are shared by every session, so what one student left there
 * would reach the next). A session's own temporary views and variables are allowed.
 */
public final class SubmissionGuard extends AbstractFunction1<SparkSessionExtensions, BoxedUnit>
        implements SparkSessionExtensionsProvider {
    private static final String[] METHOD_CALLERS = {"reflect", "java_method", "try_reflect"};
    private static final Set<String> CODE_LOADERS = Set.of("AddJarsCommand", "AddFilesCommand", "AddArchivesCommand");
    // Commands whose name starts with Create or Replace make catalog objects; these stay in the session.
    private static final Set<String> SESSION_SCOPED = Set.of("CreateViewCommand", "CreateTempViewUsing", "CreateVariable");

    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        // Every session's functions are copied from the built-in ones when it is created.
        for (String name : METHOD_CALLERS) {
            FunctionRegistry$.MODULE$.builtin().dropFunction(FunctionIdentifier$.MODULE$.apply(name));
        }
        extensions.injectCheckRule(new AbstractFunction1<SparkSession, Function1<LogicalPlan, BoxedUnit>>() {
            @Override
            public Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
                return REFUSE_CODE_LOADERS;
            }
        });
        return BoxedUnit.UNIT;
    }

    private static final Function1<LogicalPlan, BoxedUnit> REFUSE_CODE_LOADERS =
        new AbstractFunction1<LogicalPlan, BoxedUnit>() {
            @Override
            public BoxedUnit apply(LogicalPlan plan) {
                String command = plan.getClass().getSimpleName();
                if (CODE_LOADERS.contains(command) || command.startsWith("CreateFunction")) {
                    throw new UnsupportedOperationException(
                        "The grading engine loads no code at run time (ADD JAR, ADD FILE, CREATE FUNCTION): "
                        + "use PySpark's functions and Python UDFs.");
                }
                if ((command.startsWith("Create") || command.startsWith("Replace")) && !sessionScoped(plan, command)) {
                    throw new UnsupportedOperationException(
                        "Grading keeps to your own Spark session: no tables, databases, persistent or global views "
                        + "(use createOrReplaceTempView).");
                }
                return BoxedUnit.UNIT;
            }
        };

    private static boolean sessionScoped(LogicalPlan plan, String command) {
        if (!SESSION_SCOPED.contains(command)) {
            return false;
        }
        Object viewType = property(plan, "viewType");  // CreateViewCommand: LocalTempView, GlobalTempView, PersistedView
        Object global = property(plan, "global");  // CreateTempViewUsing
        return (viewType == null || "LocalTempView".equals(String.valueOf(viewType))) && !Boolean.TRUE.equals(global);
    }

    private static Object property(Object target, String name) {
        try {
            return target.getClass().getMethod(name).invoke(target);
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null;
        }
    }
}
