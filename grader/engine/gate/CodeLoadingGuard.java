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
 * Keeps a submission's code out of the engine's JVM, where it would run beside every other
 * grading with the engine's rights: no jars, files or archives added at run time, no functions
 * created from classes, and no calls of Java methods by name ({@code reflect}, {@code java_method},
 * {@code try_reflect}, which can load a native library). Python UDFs and foreachBatch functions
 * run in the engine's Python workers, which are confined apart.
 */
public final class CodeLoadingGuard extends AbstractFunction1<SparkSessionExtensions, BoxedUnit>
        implements SparkSessionExtensionsProvider {
    private static final String[] METHOD_CALLERS = {"reflect", "java_method", "try_reflect"};
    private static final Set<String> CODE_LOADERS = Set.of(
        "AddJarsCommand", "AddFilesCommand", "AddArchivesCommand", "CreateFunctionCommand", "CreateFunction");

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
                if (CODE_LOADERS.contains(plan.getClass().getSimpleName())) {
                    throw new UnsupportedOperationException(
                        "The grading engine loads no code at run time (ADD JAR, ADD FILE, CREATE FUNCTION): "
                        + "use PySpark's functions and Python UDFs.");
                }
                return BoxedUnit.UNIT;
            }
        };
}
