<?php

// logging.php - the log goes to PHP's error log (the test reads it).

return [
    'default' => 'errorlog',
    'channels' => ['errorlog' => ['driver' => 'errorlog', 'level' => 'debug']],
];
