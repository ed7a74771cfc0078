/* Loaded in <head>, before the body is drawn: lets CSS collapse the group tree with no flash. */
document.documentElement.classList.add("js");
