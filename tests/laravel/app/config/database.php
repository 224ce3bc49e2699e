<?php

// database.php - the test application has no database (its users are a file); Laravel's console needs the
// manager, which connects to nothing until asked.

return ['default' => 'none', 'connections' => [], 'migrations' => 'migrations'];
