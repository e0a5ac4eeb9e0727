/*
 * What every CUnit program shares: run the registered suites with the
 * basic runner (which prints the run/passed/failed summary) and exit
 * non-zero when any assertion failed, not only on framework errors.
 */
#ifndef ROLECA_UNIT_H
#define ROLECA_UNIT_H

#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

static inline int
unit_run(void)
{
	unsigned	 failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

/*
 * Register one suite from a CU_TEST_INFO_NULL-terminated table (several
 * calls add several suites); exits on a framework error.
 */
static inline void
unit_suite(const char *name, const CU_TestInfo *tests)
{
	CU_SuiteInfo	 suites[] = {
		{ name, NULL, NULL, NULL, NULL, (CU_TestInfo *)tests },
		CU_SUITE_INFO_NULL
	};

	if ((CU_get_registry() == NULL &&
	    CU_initialize_registry() != CUE_SUCCESS) ||
	    CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		exit(1);
	}
}

#endif
