// Component b's interface.
#pragma once
int b_main();
