# logoff — mensajes en español (mismos identificadores que en.ftl, el catálogo de referencia).

help-usage = Uso: { $synopsis }
help-intro =
    Cierra la sesión de un usuario en un host de sesión y elimina la sesión:
    terminan todos los procesos de la sesión y esta se quita del host.
help-intro-qwinsta =
    Muestra información sobre las sesiones de un host de sesión: todas, o las
    que seleccione un nombre de sesión, un nombre de usuario o un Id. de sesión.
help-intro-quser =
    Muestra información sobre las sesiones de los usuarios en un host de sesión:
    quién ha iniciado sesión, en qué sesión, desde cuándo y cuánto tiempo lleva
    inactivo.

# Marcadores de posición del uso y de la lista de modificadores, mostrados como <servidor>.
help-value-sessionname = nombreDeSesión
help-value-sessionid = idDeSesión
help-value-servername = servidor
help-value-username = usuario
help-value-file = archivo
help-value-seconds = segundos
help-value-state = estado
help-value-backend = modo
help-value-duration = duración
help-value-text = texto
help-value-n = n

# Un párrafo cada uno: /? los ajusta al ancho.
help-arg-sessionname = Nombre de la sesión: su terminal (pts/3, tty2), su pantalla X (:10) o "console".
help-arg-sessionid = Id. de logind de la sesión (12, c3). Si no se indica ninguno, se cierra su sesión actual.
help-switch-server = Host de sesión que contiene la sesión (de forma predeterminada, este), al que se accede con ssh (su systemd-stdio-bridge o, si no, su logoff). Cualquier destino de ssh: alias, usuario@host, host:puerto. Varios: /server:a,b,c o /server:@<archivo> (un host por línea, comentarios con{ "\u00A0" }#).
help-switch-user = Todas las sesiones de este usuario (cierre en flota).
help-switch-verbose = Muestra lo que se está haciendo.
help-switch-force = Cierra también una sesión de consola (puesto físico).
help-switch-timeout = Espera máxima a que la sesión termine antes de finalizar sus procesos con SIGKILL (predeterminado: { $default }; de { $min } a { $max }, con decimales).
help-switch-connect-timeout = Espera máxima a que un host, o su bus, responda (predeterminado: { $default }; de { $min } a { $max }).
help-switch-parallel = Hosts procesados a la vez (predeterminado: { $default }; de { $min } a { $max }).
help-switch-help = Muestra esta ayuda.
help-switch-version = Muestra la versión.
help-switch-whatif = Muestra qué sesiones se cerrarían, con sus procesos, sin cambiar nada.
help-switch-yes = No preguntar antes de cerrar varias sesiones.
help-switch-backend = Preguntar a cada host mediante logind, o proc (registros de inicio de sesión y /proc); por omisión logind donde el bus del host responde por él, si no proc.
help-switch-state = Solo las sesiones en este estado: disc (igual que /disconnected).
help-switch-disconnected = Solo las sesiones desconectadas (líder terminado, quedan procesos: Disc en qwinsta).
help-switch-idle = Solo las sesiones inactivas al menos este tiempo (90s, 30m, 2h, 1d, 1h30m; un número solo son minutos).
help-switch-delay = Segundos entre el aviso y el cierre (por omisión { $default }; de { $min } a { $max }); sin /msg se muestra un texto predeterminado.
help-switch-msg = Mostrar este texto en cada sesión antes de cerrarla, con una cuenta atrás (espera /delay, 60 s por omisión).
help-switch-json = Imprime el resultado como un único documento JSON en la salida estándar.
# qwinsta y quser: el argumento posicional es un filtro.
help-arg-query-sessionname = Solo las sesiones con este nombre: un terminal (pts/3, tty2), una pantalla X (:10) o "console".
help-arg-query-username = Solo las sesiones de este usuario (un nombre o un UID).
help-arg-query-sessionid = Solo la sesión con este Id. de logind (12, c3). Sin argumento, se muestran todas las sesiones.
help-switch-server-query = Host de sesión que se consulta (de forma predeterminada, este), al que se accede con ssh (su systemd-stdio-bridge o, si no, su logoff). Cualquier destino de ssh: alias, usuario@host, host:puerto. Varios: /server:a,b,c o /server:@<archivo> (un host por línea, comentarios con{ "\u00A0" }#).

help-forms =
    Los modificadores también admiten las formas -v, --verbose, --server=NAME,
    --user NAME, en mayúsculas o minúsculas; -- termina los modificadores.
help-permission =
    Para cerrar sesiones de otros usuarios se necesita permiso de logind (root,
    o org.freedesktop.login1.manage de polkit). Avise antes a los usuarios: se
    pierde el trabajo no guardado en la sesión.
help-exit-status =
    Estado de salida:
      0  ya no queda ninguna sesión de destino  5  sesión de consola rechazada
      1  error interno o salida no escrita      6  quedan procesos tras SIGKILL
      2  parámetros no válidos                  7  host, bus o logind inaccesible
      3  no existe la sesión ni sesión del      8  varios hosts: algunos fallaron
         usuario, nombre ambiguo o no hay     130  interrumpido (Ctrl-C, TERM, HUP)
         sesión actual
      4  acceso denegado                        9  sin confirmar: no se cerró nada
help-forms-query =
    Los modificadores también admiten las formas -json, --json, --server=NAME,
    --server NAME, en mayúsculas o minúsculas; -- termina los modificadores.
help-columns-qwinsta =
    Columnas: SESSIONNAME, USERNAME, ID, STATE, TYPE, DEVICE; ">" marca su
    propia sesión. STATE es Active (activa en logind), Conn (online: con sesión
    iniciada, pero no en primer plano) o Disc (closing: cerrándose, o su
    proceso líder ya no existe).
help-columns-quser =
    Columnas: USERNAME, SESSIONNAME, ID, STATE, IDLE TIME, LOGON TIME; ">"
    marca su propia sesión. STATE es Active (activa en logind), Conn (online:
    con sesión iniciada, pero no en primer plano) o Disc (closing: cerrándose,
    o su proceso líder ya no existe).
help-exit-status-query =
    Estado de salida:
      0  se mostraron las sesiones             7  host, bus o logind inaccesible
      1  error interno o salida no escrita     8  varios hosts: algunos fallaron
      2  parámetros no válidos               130  interrumpido (Ctrl-C, TERM, HUP)
      3  no hay sesiones, o ninguna coincide con el filtro
version = { $program } { $version }

# Líneas de comandos incorrectas. Después se muestra el texto de uso.
err-invalid = Parámetros no válidos: { $detail }
err-unknown-switch = modificador desconocido '{ $switch }'
err-too-many-sessions = se indicó más de una sesión ('{ $first }' y '{ $second }')
err-missing-value = '{ $option }' necesita un valor
err-empty-value = '{ $option }' tiene un valor vacío
err-unexpected-value = '{ $option }' no admite ningún valor
err-invalid-value = '{ $value }' no es un valor válido para '{ $option }'
err-duplicate = '{ $option }' se indicó más de una vez
err-session-and-user = no se pueden usar a la vez una sesión y /user
err-state-with-session = /idle y /disconnected seleccionan sesiones; úselos solos o con /user:, no con un id. o nombre de sesión
err-server-needs-target = /server necesita un id. de sesión, un nombre de sesión, /user, /idle o /disconnected (no hay sesión actual en otro host)
err-not-unicode = un argumento no es texto válido: '{ $arg }'
err-bad-host-dash = se rechaza el nombre de host '{ $host }': empieza por '-' y ssh lo leería como una opción
err-bad-host-space = se rechaza el nombre de host '{ $host }': contiene espacios en blanco o caracteres de control
err-bad-host-empty = se rechaza el nombre de host '{ $host }': no indica ningún host
err-bad-host-port = se rechaza el nombre de host '{ $host }': el puerto no es un número entre 1 y 65535
err-host-file = no se puede leer la lista de hosts '{ $path }': { $reason }
err-host-file-empty = la lista de hosts '{ $path }' no contiene ningún host

# Sesiones.
err-not-found = no existe la sesión '{ $session }' en { $host }
err-ambiguous = el nombre de sesión '{ $name }' es ambiguo en { $host }; puede ser cualquiera de estas:
err-no-current-session = este proceso no está en una sesión de inicio de sesión; indique un id. o un nombre de sesión
err-access-denied = acceso denegado: la sesión { $id } en { $host } pertenece a { $user }
err-console = no se puede cerrar la sesión de un usuario en la sesión de consola (sesión { $id } de { $user } en { $host }); use /force para forzarlo
err-timed-out = la sesión { $id } de { $user } en { $host } no se eliminó, ni siquiera tras SIGKILL; procesos restantes:
candidate-header = ID        USUARIO     NOMBRE      ESTADO
sessions-there = Sesiones en { $host }:
process-line = { $pid } { $cmd }

# Hosts y buses.
err-no-bus = no se puede conectar con el bus del sistema en { $host }: { $reason }
err-no-logind = systemd-logind no se está ejecutando en { $host } (nadie posee org.freedesktop.login1 en su bus del sistema)
err-no-records = no se pueden leer los registros de inicio de sesión de { $host } (no tiene logind): { $reason }
err-no-agent = { $host } no tiene instalado ni systemd-stdio-bridge ni logoff: instale uno de los dos allí para alcanzarlo
err-agent-mismatch = logoff { $theirs } en { $host } no habla el protocolo de agente de este logoff ({ $ours }): instale allí la misma versión
err-unreachable = no se puede acceder a { $host }: { $reason }
err-auth = error de autenticación en { $host }: { $reason }
err-no-bridge = { $host } no tiene systemd-stdio-bridge: { $reason }
err-connect-timeout = { $host } no respondió en { $secs } s
err-no-reply = nadie respondió a la pregunta de ssh para { $host } en { $secs } s
err-no-ssh = no se puede ejecutar ssh: { $reason }
err-bus = error de D-Bus inesperado de { $host }: { $reason }
err-some-hosts-failed = error en { $failed } de { $total } hosts

# /v
v-connecting = Conectando con { $host } (ssh: systemd-stdio-bridge o, si no, el logoff de ese equipo)...
v-connected = Conectado con { $host } en { $ms } ms
v-agent = { $host }: responde logoff { $version } de ese equipo (modo agente: no se ve allí systemd-stdio-bridge, bus del sistema ni logind en marcha)
v-backend-logind = { $host }: sesiones de logind (su bus del sistema responde por org.freedesktop.login1)
v-backend-proc-asked = { $host }: sesiones de sus registros de inicio de sesión y /proc (--backend=proc)
v-backend-proc-no-bus = { $host }: sesiones de sus registros de inicio de sesión y /proc (sin bus del sistema: { $reason })
v-backend-proc-not-on-bus = { $host }: sesiones de sus registros de inicio de sesión y /proc (no hay logind en su bus del sistema)
v-backend-proc-cannot-start = { $host }: sesiones de sus registros de inicio de sesión y /proc (su bus del sistema no pudo iniciar logind: { $reason })
v-resolved-id = Sesión { $id } de { $user } en { $host } (indicada por id.{ $name })
v-resolved-name = Sesión { $id } de { $user } en { $host } (encontrada por el nombre '{ $name }')
v-resolved-current = Sesión { $id } de { $user } en { $host } (su sesión actual)
v-resolved-user = Sesión { $id } de { $user } en { $host } (todas las sesiones de { $user })
v-no-sessions = { $user } no tiene ninguna sesión en { $host }
v-resolved-state = Sesión { $id } de { $user } en { $host } ({ $name })
v-none-matching = ninguna sesión en { $host } cumple { $filter }
v-warned = Sesión { $id } de { $user } en { $host } avisada: se cerrará en { $time }
v-not-warned = No se pudo mostrar el aviso en la sesión { $id } de { $user } en { $host } (ningún terminal ni pantalla alcanzable); se cerrará igualmente en { $time }
notice = [logoff] { $who }: { $text } { $tail }
notice-left = Su sesión se cerrará en { $time }: guarde su trabajo ahora.
notice-cancelled = Se ha cancelado el cierre de sesión: puede seguir trabajando.
notice-default = Esta sesión se va a cerrar.
notice-seconds = { $n } s
notice-minutes = { $n } min
why-idle = inactiva { $minutes } min
why-disconnected = desconectada
v-requesting = Cerrando la sesión { $id } en { $host } (TerminateSession)
v-requesting-proc = Cerrando la sesión { $id } en { $host } (SIGTERM, SIGCONT y SIGHUP a cada uno de sus procesos)
v-already-gone = La sesión { $id } en { $host } ya había terminado
v-waiting = Esperando hasta { $secs } s a que { $count ->
        [one] termine la sesión
       *[other] terminen las { $count } sesiones
    } en { $host }
v-escalating = La sesión { $id } en { $host } aún tiene { $count ->
        [one] un proceso tras el tiempo de espera: se finaliza (SIGKILL)
       *[other] { $count } procesos tras el tiempo de espera: se finalizan (SIGKILL)
    }
v-ended = Se cerró la sesión { $id } de { $user } en { $host } ({ $ms } ms)

# Varios hosts.
host-ok = { $host }: { $count ->
        [0] ninguna sesión que cerrar
        [one] 1 sesión cerrada
       *[other] { $count } sesiones cerradas
    } ({ $secs } s)
host-failed = { $host }: ERROR: { $reason } ({ $secs } s)
summary = { $ok } de { $total } hosts completados, { $sessions ->
        [one] 1 sesión cerrada
       *[other] { $sessions } sesiones cerradas
    } en { $secs } s
progress = { $done }/{ $total } hosts terminados
confirm-header = Se cerrarán estas { $count } sesiones:
confirm-question = ¿Cerrar estas { $count } sesiones? [s/N]
confirm-yes = s,si,sí,y,yes
progress-countdown = Cierre de sesión en { $time } (Ctrl-C cancela)

# Añadidos con el trabajo de fiabilidad: resultados veraces, esperas acotadas, interrupciones.
err-session-many-hosts = un id. o nombre de sesión pertenece a un solo host y no se puede usar con varios; use /user:<usuario> para varios hosts
host-file-not-found = no existe el archivo
host-file-denied = permiso denegado
host-file-directory = es un directorio
host-file-not-text = no es texto UTF-8
host-file-too-large = ocupa más de { $mib } MiB
err-no-user-session = { $user } no tiene ninguna sesión en { $host }
err-no-such-user = no existe el usuario '{ $user }' en { $host }
err-no-user-session-anywhere = { $user } no tiene ninguna sesión en { $hosts ->
        [one] ese host
       *[other] ninguno de los { $hosts } hosts
    }
err-logind-failed = no se pudo iniciar systemd-logind en { $host }: { $reason }
err-no-answer = el bus del sistema de { $host } no respondió en { $secs } s
err-interrupted = interrumpido por { $signal }
err-cancelled = cancelado por { $signal } durante el aviso: no se cerró ninguna sesión en { $host }; { $told } de { $warned } sesiones avisadas fueron informadas
err-declined = no se cerró ninguna sesión (no confirmado)
err-not-looked-at = no se cerró ninguna sesión: no se pudo consultar { $hosts } host(s), así que no hay lista que confirmar (/y continúa sin ella)
err-output = no se puede escribir la salida: { $reason }
outcome-still-there = se pidió cerrar la sesión { $id } de { $user } en { $host } y sigue existiendo
outcome-unknown = se pidió cerrar la sesión { $id } de { $user } en { $host }; se desconoce si ha terminado
outcome-not-asked = no se pidió cerrar la sesión { $id } de { $user } en { $host }
ended = Se cerró la sesión { $id } de { $user } en { $host }
v-signalling = La sesión { $id } en { $host } se está cerrando (su proceso principal ya no existe): se envía SIGTERM a sus procesos
warn-audit-lost = aviso: no se pudo escribir el registro de auditoría: esta máquina no tiene registro del sistema (/dev/log) ni socket de journald

# Listados (qwinsta, quser) y /whatif.
q-server = SERVIDOR
q-sessionname = NOMBRESESIÓN
q-username = USUARIO
q-id = ID
q-state = ESTADO
q-type = TIPO
q-device = DISPOSITIVO
q-idle = TIEMPO INACTIVO
q-logon = TIEMPO DE INICIO DE SESIÓN
state-active = Activo
state-conn = Conectado
state-disc = Desconectado
idle-none = ninguno
err-no-match = ninguna sesión coincide con '{ $filter }' en { $host }
err-no-sessions = no hay ninguna sesión en { $host }
whatif-session = Qué pasaría si: se cerraría la sesión { $id } de { $user } ({ $name }) en { $host }, { $count ->
        [0] sin ningún proceso en ella
        [one] con su único proceso:
       *[other] con sus { $count } procesos:
    }
